/// Q5_K: 256 weights in 8 sub-blocks of 32, w = d·sc_j·q − dmin·m_j with 5-bit q and 6-bit
/// sc_j, m_j (packed as in Q4_K).
///
///     offset  0  fp16 d           scale of the sub-block scales
///     offset  2  fp16 dmin        scale of the sub-block mins
///     offset  4  u8   scales[12]  as Q4_K
///     offset 16  u8   qh[32]      bit j of qh[l] is the fifth bit of weight l of sub-block j
///     offset 48  u8   qs[128]     low four bits, arranged as Q4_K's nibbles
///
/// 176 bytes (5.5 bits per weight). Dots with Q8_K activations.
enum Q5K: SuperBlockDot {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 176
    static var fields: [BlockField] {
        [BlockField("d", 2), BlockField("dmin", 2), BlockField("scales", 12), BlockField("qh", 32), BlockField("qs", 128)]
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 256) {
            let block = src + b &* 176
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let (scales, mins) = Q4K.scalesAndMins(block + 4)
            let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
            let qs = (block + 48).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 256
            for j in 0..<8 {
                let sc = Float(UInt8(truncatingIfNeeded: scales &>> UInt64(8 &* j)))
                let m = Float(UInt8(truncatingIfNeeded: mins &>> UInt64(8 &* j)))
                let d1 = d * sc, m1 = dmin * m
                let q = qs + 32 &* (j >> 1), shift = UInt8(4 &* (j & 1))
                for l in 0..<32 {
                    let v = ((q[l] >> shift) & 0xF) | (((qh[l] >> UInt8(j)) & 1) << 4)
                    y[32 &* j &+ l] = d1 * Float(v) - m1
                }
            }
        }
    }

    /// Writes the super-block's 256 five-bit quants as bytes, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        let h = block.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt32>.self)
        for j in 0..<4 {
            let v = block.loadUnaligned(fromByteOffset: 48 &+ 32 &* j, as: SIMD8<UInt32>.self)
            let h0 = ((h &>> UInt32(2 &* j)) & 0x0101_0101) &<< 4
            let h1 = ((h &>> UInt32(2 &* j &+ 1)) & 0x0101_0101) &<< 4
            out.storeBytes(of: (v & 0x0F0F_0F0F) | h0, toByteOffset: 64 &* j, as: SIMD8<UInt32>.self)
            out.storeBytes(of: ((v &>> 4) & 0x0F0F_0F0F) | h1, toByteOffset: 64 &* j &+ 32, as: SIMD8<UInt32>.self)
        }
    }

    /// `ggml_vec_dot_q5_K_q8_K`: per block, d_a·(d·Σ_j sc_j·Σ q·y − dmin·Σ_j m_j·Σ y).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        UnpackedDot.superBlocks(Q5K.self, weights, activations, blocks: count / 256)
    }

    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        UnpackedDot.superBlocks(Q5K.self, weights, activations, activationStride: activationStride, tokens: tokens,
                       blocks: count / 256, into: out, outputStride: outputStride)
    }

    @inline(__always)
    static func blockDot(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ q: UnsafeRawPointer) -> SIMD16<Float> {
        let (scales, mins) = Q4K.scalesAndMins(x + 4)
        var sums = SIMD8<Int32>()
        for j in 0..<8 {
            sums[j] = IntDot.u8x32(q + 32 &* j, y + (4 &+ 32 &* j))
        }
        let ySums = Lanes.pairSums(y.loadUnaligned(fromByteOffset: 260, as: SIMD8<Int32>.self))
        let dy = y.loadUnaligned(as: Float.self)
        let v = Lanes.floats(sums &* Q4K.lanes(scales)) * (dy * loadHalf(x, 0))
            - Lanes.floats(ySums &* Q4K.lanes(mins)) * (dy * loadHalf(x, 2))
        return SIMD16(lowHalf: v, highHalf: .zero)
    }
}
