/// Q5_1: 32 weights per block, w = d·q + m with 5-bit q.
///
///     offset  0  fp16 d       scale
///     offset  2  fp16 m       minimum
///     offset  4  u32  qh      bit j is the fifth bit of weight j (little-endian)
///     offset  8  u8   qs[16]  low four bits: weight j in the low nibble of qs[j], j+16 in the high
///
/// 24 bytes (6 bits per weight). Dots with Q8_1 activations.
enum Q5_1: ByteUnpacking {
    typealias Activation = Q8_1
    static let weightsPerBlock = 32
    static let bytesPerBlock = 24
    static var fields: [BlockField] {
        [BlockField("d", 2), BlockField("m", 2), BlockField("qh", 4), BlockField("qs", 16)]
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 24
            let d = loadHalf(block, 0), m = loadHalf(block, 2)
            let qh = block.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
            let qs = (block + 8).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 32
            for j in 0..<16 {
                let h0 = UInt8(truncatingIfNeeded: (qh &>> UInt32(j)) & 1) &<< 4
                let h1 = UInt8(truncatingIfNeeded: (qh &>> UInt32(j &+ 16)) & 1) &<< 4
                y[j] = Float((qs[j] & 0xF) | h0) * d + m
                y[j &+ 16] = Float((qs[j] >> 4) | h1) * d + m
            }
        }
    }

    /// Writes the block's 32 five-bit quants as bytes, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        let v = block.loadUnaligned(fromByteOffset: 8, as: SIMD4<UInt32>.self)
        let low = SIMD8<UInt32>(lowHalf: v & 0x0F0F_0F0F, highHalf: (v &>> 4) & 0x0F0F_0F0F)
        let h = Q5_0.highBits(block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        out.storeBytes(of: low | (h &<< 4), as: SIMD8<UInt32>.self)
    }

    /// `ggml_vec_dot_q5_1_q8_1`: Σ_b (d_w·d_a·Σ q·y + m_w·s_a).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        UnpackedDot.unsignedWithMin(Q5_1.self, weights, activations, blocks: count / 32)
    }
}
