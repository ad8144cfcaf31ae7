import SIMDIntrinsics

/// Q5_0: 32 weights per block, w = d·(q − 16) with 5-bit q.
///
///     offset  0  fp16 d       scale
///     offset  2  u32  qh      bit j is the fifth bit of weight j (little-endian)
///     offset  6  u8   qs[16]  low four bits: weight j in the low nibble of qs[j], j+16 in the high
///
/// 22 bytes (5.5 bits per weight). Dots with Q8_0 activations.
enum Q5_0: SignedBlockFormat {
    typealias Activation = Q8_0
    static let weightsPerBlock = 32
    static let bytesPerBlock = 22
    static var fields: [BlockField] { [BlockField("d", 2), BlockField("qh", 4), BlockField("qs", 16)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 22
            let d = loadHalf(block, 0)
            let qh = block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
            let qs = (block + 6).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 32
            for j in 0..<16 {
                let h0 = Int32(truncatingIfNeeded: (qh &>> UInt32(j)) & 1) &<< 4
                let h1 = Int32(truncatingIfNeeded: (qh &>> UInt32(j &+ 16)) & 1) &<< 4
                y[j] = Float((Int32(qs[j] & 0xF) | h0) &- 16) * d
                y[j &+ 16] = Float((Int32(qs[j] >> 4) | h1) &- 16) * d
            }
        }
    }

    /// Each 32-bit lane k covers weights 4k…4k+3: their qh bits, spread one per byte, in lane k.
    /// (Q5_1's unpack; Q5_0's `quants` turns the bits into bytes with `bytesFromBits`.)
    @inline(__always)
    static func highBits(_ qh: UInt32) -> SIMD8<UInt32> {
        // Lane k shifts nibble k of qh to the top and back down. Spelled as a multiply, this is
        // one `vpsrlvd`; spelled `qh >> 4k` LLVM splits the shift into pieces and shuffles them
        // back together, doubling the unpack (measured).
        let top = SIMD8<UInt32>(repeating: qh)
            &* SIMD8<UInt32>(1 << 28, 1 << 24, 1 << 20, 1 << 16, 1 << 12, 1 << 8, 1 << 4, 1)
        // n · 0x00204081 copies nibble n to bit offsets 0, 7, 14, 21: bit m lands at 8m, no overlaps.
        return ((top &>> 28) &* 0x0020_4081) & 0x0101_0101
    }

    /// The block's 32 values q − 16, in weight order.
    @inline(__always)
    static func quants(_ block: UnsafeRawPointer) -> SIMD32<Int8> {
        let (low, fifth) = parts(block)
        // q − 16 is the low nibble when the fifth bit is set, else the nibble minus 16 (= | 0xF0).
        return unsafeBitCast(low | (~fifth & 0xF0F0_F0F0), to: SIMD32<Int8>.self)
    }

    static var quantOffset: UInt8 { 16 }

    /// The block's 32 stored 5-bit values q, in weight order.
    @inline(__always)
    static func unsignedQuants(_ block: UnsafeRawPointer) -> SIMD32<UInt8> {
        let (low, fifth) = parts(block)
        return unsafeBitCast(low | (fifth & 0x1010_1010), to: SIMD32<UInt8>.self)
    }

    /// The 32 low nibbles in weight order, and 0xFF in each byte whose fifth bit is set.
    @inline(__always)
    private static func parts(_ block: UnsafeRawPointer) -> (low: SIMD8<UInt32>, fifth: SIMD8<UInt32>) {
        let v = block.loadUnaligned(fromByteOffset: 6, as: SIMD4<UInt32>.self)
        let low = SIMD8<UInt32>(lowHalf: v & 0x0F0F_0F0F, highHalf: (v &>> 4) & 0x0F0F_0F0F)
        let fifth = unsafeBitCast(bytesFromBits(block.loadUnaligned(fromByteOffset: 2, as: UInt32.self)),
                                  to: SIMD8<UInt32>.self)
        return (low, fifth)
    }
}
