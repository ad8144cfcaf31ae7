/// Q6_K: 256 weights in 16 groups of 16, w = d·sc_g·(q − 32) with 6-bit q and int8 sc_g.
///
///     offset   0  u8   ql[128]     low four bits: in each half (64 bytes), weights 0–31 in the low
///                                  nibbles of bytes 0–31, 32–63 of bytes 32–63, 64–95 in the high
///                                  nibbles of bytes 0–31, 96–127 of bytes 32–63
///     offset 128  u8   qh[64]      top two bits: in each half (32 bytes), bits 0–1 of byte l for
///                                  weight l, 2–3 for l+32, 4–5 for l+64, 6–7 for l+96
///     offset 192  int8 scales[16]  one per group of 16
///     offset 208  fp16 d           scale of the scales
///
/// 210 bytes (6.5625 bits per weight). Dots with Q8_K activations.
enum Q6K: SuperBlockDot {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 210
    static var fields: [BlockField] {
        [BlockField("ql", 128), BlockField("qh", 64), BlockField("scales", 16), BlockField("d", 2)]
    }

    /// Writes the super-block's 256 six-bit quants (0…63, before the −32) as bytes, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        for n in 0..<2 {
            let a = block.loadUnaligned(fromByteOffset: 64 &* n, as: SIMD8<UInt32>.self)
            let b = block.loadUnaligned(fromByteOffset: 64 &* n &+ 32, as: SIMD8<UInt32>.self)
            let h = block.loadUnaligned(fromByteOffset: 128 &+ 32 &* n, as: SIMD8<UInt32>.self)
            let o = 128 &* n
            out.storeBytes(of: (a & 0x0F0F_0F0F) | ((h & 0x0303_0303) &<< 4),
                           toByteOffset: o, as: SIMD8<UInt32>.self)
            out.storeBytes(of: (b & 0x0F0F_0F0F) | (((h &>> 2) & 0x0303_0303) &<< 4),
                           toByteOffset: o &+ 32, as: SIMD8<UInt32>.self)
            out.storeBytes(of: ((a &>> 4) & 0x0F0F_0F0F) | (((h &>> 4) & 0x0303_0303) &<< 4),
                           toByteOffset: o &+ 64, as: SIMD8<UInt32>.self)
            out.storeBytes(of: ((b &>> 4) & 0x0F0F_0F0F) | (((h &>> 6) & 0x0303_0303) &<< 4),
                           toByteOffset: o &+ 96, as: SIMD8<UInt32>.self)
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for b in 0..<(count / 256) {
                let block = src + b &* 210
                unpack(block, UnsafeMutableRawPointer(q))
                let d = loadHalf(block, 208)
                let scales = (block + 192).assumingMemoryBound(to: Int8.self)
                let y = dst + b &* 256
                for g in 0..<16 {
                    let dg = d * Float(scales[g])
                    for l in 0..<16 {
                        y[16 &* g &+ l] = dg * Float(Int32(q[16 &* g &+ l]) &- 32)
                    }
                }
            }
        }
    }

    /// `ggml_vec_dot_q6_K_q8_K`: per block, d·d_a·Σ_g sc_g·(Σ q·y − 32·Σ y), with Σ y from the
    /// activations' bsums (as llama.cpp's AVX2 kernel does).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        UnpackedDot.superBlocks(Q6K.self, weights, activations, blocks: count / 256)
    }

    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        UnpackedDot.superBlocks(Q6K.self, weights, activations, activationStride: activationStride, tokens: tokens,
                       blocks: count / 256, into: out, outputStride: outputStride)
    }

    @inline(__always)
    static func blockDot(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ q: UnsafeRawPointer) -> SIMD16<Float> {
        // Scalar group sums: collecting them into a vector makes LLVM vectorize across groups
        // (widening multiplies) instead of emitting one `vpdpbusd` per group (measured 2x slower).
        let scales = (x + 192).assumingMemoryBound(to: Int8.self)
        let bsums = (y + 260).assumingMemoryBound(to: Int16.self)
        var isum: Int32 = 0
        for g in 0..<16 {
            let s = IntDot.u8x16(q + 16 &* g, y + (4 &+ 16 &* g))
            isum &+= Int32(scales[g]) &* (s &- 32 &* Int32(bsums[g]))
        }
        var v = SIMD16<Float>()
        v[0] = (loadHalf(x, 208) * y.loadUnaligned(as: Float.self)) * Float(isum)
        return v
    }
}
