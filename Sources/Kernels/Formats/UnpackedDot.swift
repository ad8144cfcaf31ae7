/// Row dot products for the formats whose quants are unpacked to bytes first (Q4_0, Q5_0, Q5_1
/// and the K-quants but Q4_K): unpack a run of blocks into a stack buffer, then run the
/// byte-loop kernels over it eight blocks at a time. Keeping the unpack and the dot in separate
/// loops matters: in one loop LLVM forwards the stored vector into the byte loads and the
/// `vpdpbusd` match is lost (see Primitives.swift).
enum UnpackedDot {
    /// Σ_b d_w·d_a·Σ q·y against Q8_0 activations, where `unpack(block, out)` writes a block's 32
    /// quants as int8 and each weight block starts with its fp16 scale.
    @inline(__always)
    static func signed(
        _ weights: UnsafeRawPointer, blockBytes: Int, _ activations: UnsafeRawPointer, blocks nb: Int,
        unpack: (UnsafeRawPointer, UnsafeMutableRawPointer) -> Void
    ) -> Float {
        withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!
            var acc = SIMD8<Float>()
            var tail: Float = 0
            var start = 0
            while start < nb {
                let n = Swift.min(Scratch.bytes / 32, nb &- start)
                let w = weights + start &* blockBytes, a = activations + start &* 34
                for i in 0..<n {
                    unpack(w + i &* blockBytes, q + i &* 32)
                }
                var i = 0
                while i &+ 8 <= n {
                    var sums = SIMD8<Int32>()
                    for k in 0..<8 {
                        sums[k] = IntDot.s8x32(q + (i &+ k) &* 32, a + ((i &+ k) &* 34 &+ 2))
                    }
                    let scales = loadHalves8(w + i &* blockBytes, offset: 0, stride: blockBytes)
                        * loadHalves8(a + i &* 34, offset: 0, stride: 34)
                    acc = acc.addingProduct(SIMD8<Float>(sums), scales)
                    i &+= 8
                }
                while i < n {
                    let s = IntDot.s8x32(q + i &* 32, a + (i &* 34 &+ 2))
                    tail += Float(s) * (loadHalf(w + i &* blockBytes, 0) * loadHalf(a + i &* 34, 0))
                    i &+= 1
                }
                start &+= n
            }
            return acc.total + tail
        }
    }

    /// Σ_b (d_w·d_a·Σ q·y + m_w·s_a) against Q8_1 activations, where `unpack` writes a block's 32
    /// quants as unsigned bytes and each weight block starts with fp16 d then fp16 m.
    @inline(__always)
    static func unsignedWithMin(
        _ weights: UnsafeRawPointer, blockBytes: Int, _ activations: UnsafeRawPointer, blocks nb: Int,
        unpack: (UnsafeRawPointer, UnsafeMutableRawPointer) -> Void
    ) -> Float {
        withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!
            var acc = SIMD8<Float>(), mins = SIMD8<Float>()
            var tail: Float = 0
            var start = 0
            while start < nb {
                let n = Swift.min(Scratch.bytes / 32, nb &- start)
                let w = weights + start &* blockBytes, a = activations + start &* 36
                for i in 0..<n {
                    unpack(w + i &* blockBytes, q + i &* 32)
                }
                var i = 0
                while i &+ 8 <= n {
                    var sums = SIMD8<Int32>()
                    for k in 0..<8 {
                        sums[k] = IntDot.u8x32(q + (i &+ k) &* 32, a + ((i &+ k) &* 36 &+ 4))
                    }
                    let wb = w + i &* blockBytes, ab = a + i &* 36
                    let scales = loadHalves8(wb, offset: 0, stride: blockBytes) * loadHalves8(ab, offset: 0, stride: 36)
                    acc = acc.addingProduct(SIMD8<Float>(sums), scales)
                    mins = mins.addingProduct(loadHalves8(wb, offset: 2, stride: blockBytes),
                                              loadHalves8(ab, offset: 2, stride: 36))
                    i &+= 8
                }
                while i < n {
                    let wb = w + i &* blockBytes, ab = a + i &* 36
                    let s = IntDot.u8x32(q + i &* 32, ab + 4)
                    tail += (loadHalf(wb, 0) * loadHalf(ab, 0)) * Float(s) + loadHalf(wb, 2) * loadHalf(ab, 2)
                    i &+= 1
                }
                start &+= n
            }
            return (acc + mins).total + tail
        }
    }

    /// Σ over super-blocks (256 weights) of `blockDot(b, quants)`, where `unpack(b, out)` first
    /// writes super-block b's 256 quants as bytes. Unpacks up to four super-blocks per pass.
    @inline(__always)
    static func superBlocks(
        _ nb: Int, unpack: (Int, UnsafeMutableRawPointer) -> Void, blockDot: (Int, UnsafeRawPointer) -> Float
    ) -> Float {
        withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!
            var sum: Float = 0
            var start = 0
            while start < nb {
                let n = Swift.min(Scratch.bytes / 256, nb &- start)
                for i in 0..<n {
                    unpack(start &+ i, q + i &* 256)
                }
                for i in 0..<n {
                    sum += blockDot(start &+ i, q + i &* 256)
                }
                start &+= n
            }
            return sum
        }
    }
}
