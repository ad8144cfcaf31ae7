/// Q4_0: 32 weights per block, w = d·(q − 8) with 4-bit q.
///
///     offset  0  fp16 d       scale
///     offset  2  u8   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
///
/// 18 bytes (4.5 bits per weight). Dots with Q8_0 activations.
enum Q4_0: SignedBlockFormat {
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

    /// The block's 32 values q − 8, in weight order.
    @inline(__always)
    static func quants(_ block: UnsafeRawPointer) -> SIMD32<Int8> {
        unsafeBitCast(unsignedQuants(block), to: SIMD32<Int8>.self) &- 8
    }

    static var quantOffset: UInt8 { 8 }

    /// The block's 32 stored 4-bit values q, in weight order.
    @inline(__always)
    static func unsignedQuants(_ block: UnsafeRawPointer) -> SIMD32<UInt8> {
        let v = block.loadUnaligned(fromByteOffset: 2, as: SIMD4<UInt32>.self)
        let q = SIMD8<UInt32>(lowHalf: v & 0x0F0F_0F0F, highHalf: (v &>> 4) & 0x0F0F_0F0F)
        return unsafeBitCast(q, to: SIMD32<UInt8>.self)
    }
}
