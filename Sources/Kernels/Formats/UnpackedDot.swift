/// A format whose dot product first unpacks its quants to one byte each (see `UnpackedDot`).
protocol ByteUnpacking: DotFormat {
    /// Writes the `weightsPerBlock` quants of the block at `block` to `out`, one byte each.
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer)
}

/// A K-quant whose per-super-block dot runs over quants unpacked by `unpack`.
protocol SuperBlockDot: ByteUnpacking {
    /// One super-block's contribution, given its weights, its Q8_K activations and its unpacked
    /// quants, as a vector whose lanes add up to it (so the row sum is reduced only once).
    static func blockDot(_ block: UnsafeRawPointer, _ activations: UnsafeRawPointer, _ quants: UnsafeRawPointer) -> SIMD16<Float>
}

/// Row dot products for the formats whose quants are unpacked to bytes first (Q5_1, Q2_K, Q3_K,
/// Q5_K; Q4_0, Q5_0 and Q8_0 unpack in registers in `SignedBlocks`, Q4_K and Q6_K in
/// `RegisterSuperBlock`): unpack a run of blocks into a stack buffer, then run the byte-loop
/// kernels over it. Keeping the unpack and the dot in separate loops matters: in one loop LLVM
/// forwards the stored vectors into the byte loads and the `vpdpbusd` match is lost (see
/// Primitives.swift). The formats come in as generic parameters, not closures, so every call
/// specializes and inlines.
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

    /// Σ over super-blocks (256 weights) of `F.blockDot`, unpacking up to four super-blocks per pass.
    @inline(__always)
    static func superBlocks<F: SuperBlockDot>(_: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, blocks nb: Int) -> Float {
        var result: Float = 0
        superBlocks(F.self, weights, activations, activationStride: 0, tokens: 1, blocks: nb, into: &result, outputStride: 0)
        return result
    }

    /// `superBlocks` for `tokens` activation rows, unpacking each run of super-blocks once for all
    /// of them; every token still sums in the single-row order, so batching never changes a result.
    @inline(__always)
    static func superBlocks<F: SuperBlockDot>(
        _: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
        blocks nb: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        let blockBytes = F.bytesPerBlock
        withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: tokens) { sums in
                let q = buffer.baseAddress!, sum = sums.baseAddress!
                sum.initialize(repeating: SIMD16<Float>(), count: tokens)
                var start = 0
                while start < nb {
                    let n = Swift.min(Scratch.bytes / 256, nb &- start)
                    let w = weights + start &* blockBytes
                    var i = 0
                    while i < n {
                        F.unpack(w + i &* blockBytes, q + i &* 256)
                        i &+= 1
                    }
                    for t in 0..<tokens {
                        let a = activations + t &* activationStride + start &* 292
                        var s = sum[t]
                        i = 0
                        while i < n {
                            s += F.blockDot(w + i &* blockBytes, a + i &* 292, q + i &* 256)
                            i &+= 1
                        }
                        sum[t] = s
                    }
                    start &+= n
                }
                for t in 0..<tokens { out[t &* outputStride] = sum[t].total }
            }
        }
    }
}
