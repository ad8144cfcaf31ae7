/// A format whose dot product first unpacks its quants to one byte each (see `UnpackedDot`).
protocol ByteUnpacking: DotFormat {
    /// Writes the `weightsPerBlock` quants of the block at `block` to `out`, one byte each.
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer)
}

/// Row dot products for the formats whose quants are unpacked to bytes first (Q5_1; Q4_0, Q5_0
/// and Q8_0 unpack in registers in `SignedBlocks`, the K-quants in `RegisterSuperBlock`):
/// unpack a run of blocks into a stack buffer, then run the byte-loop kernels over it. Keeping
/// the unpack and the dot in separate loops matters: in one loop LLVM forwards the stored
/// vectors into the byte loads and the `vpdpbusd` match is lost (see Primitives.swift). The
/// formats come in as generic parameters, not closures, so every call specializes and inlines.
enum UnpackedDot {
    /// Σ_b (d_w·d_a·Σ q·y + m_w·s_a) against Q8_1 activations, for 32-weight blocks that
    /// `F.unpack` writes as unsigned bytes and that start with fp16 d then fp16 m.
    @inline(__always)
    static func unsignedWithMin<F: ByteUnpacking>(_: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, blocks nb: Int) -> Float {
        let blockBytes = F.bytesPerBlock
        return withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!
            var acc = SIMD8<Float>(), mins = SIMD8<Float>()
            var tail: Float = 0
            var start = 0
            while start < nb {
                let n = Swift.min(Scratch.bytes / 32, nb &- start)
                let w = weights + start &* blockBytes, a = activations + start &* 36
                var i = 0
                while i < n {
                    F.unpack(w + i &* blockBytes, q + i &* 32)
                    i &+= 1
                }
                i = 0
                while i &+ 8 <= n {
                    var sums = SIMD8<Int32>()
                    for k in 0..<8 {
                        sums[k] = IntDot.u8x32(q + (i &+ k) &* 32, a + ((i &+ k) &* 36 &+ 4))
                    }
                    let wb = w + i &* blockBytes, ab = a + i &* 36
                    let scales = loadHalves8(wb, offset: 0, stride: blockBytes) * loadHalves8(ab, offset: 0, stride: 36)
                    acc = acc.addingProduct(Lanes.floats(sums), scales)
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
}
