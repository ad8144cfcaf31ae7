/// Q4_0: 32 weights per block, w = d·(q − 8) with 4-bit q.
///
///     offset  0  fp16 d       scale
///     offset  2  u8   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
///
/// 18 bytes (4.5 bits per weight). Dots with Q8_0 activations.
enum Q4_0: ByteUnpacking {
    typealias Activation = Q8_0
    static let weightsPerBlock = 32
    static let bytesPerBlock = 18
    static var fields: [BlockField] { [BlockField("d", 2), BlockField("qs", 16)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 18
            let d = loadHalf(block, 0)
            let qs = (block + 2).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 32
            for j in 0..<16 {
                y[j] = Float(Int32(qs[j] & 0xF) &- 8) * d
                y[j &+ 16] = Float(Int32(qs[j] >> 4) &- 8) * d
            }
        }
    }

    /// Writes the block's 32 values q − 8 as int8, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        let v = block.loadUnaligned(fromByteOffset: 2, as: SIMD4<UInt32>.self)
        // t = q ^ 8 holds q − 8 in its low 3 bits with the sign in bit 3; widen that sign to 0xF0.
        let t = SIMD8<UInt32>(lowHalf: v & 0x0F0F_0F0F, highHalf: (v &>> 4) & 0x0F0F_0F0F) ^ 0x0808_0808
        out.storeBytes(of: t | ((t & 0x0808_0808) &* 0x1E), as: SIMD8<UInt32>.self)
    }

    /// `ggml_vec_dot_q4_0_q8_0`: Σ_b d_w·d_a·Σ (q − 8)·y.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        UnpackedDot.signed(Q4_0.self, weights, activations, blocks: count / 32)
    }

    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        UnpackedDot.signed(Q4_0.self, weights, activations, activationStride: activationStride, tokens: tokens,
                       blocks: count / 32, into: out, outputStride: outputStride)
    }
}
