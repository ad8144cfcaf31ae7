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
enum Q5K: RegisterSuperBlock {
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

    static var foldsOffsets: Bool { false }

    /// Q4_K's registers with each quant's fifth bit added: bit 2j and 2j + 1 of every `qh` byte
    /// belong to sub-blocks 2j and 2j + 1, whose low four bits `qs[32j..<32j+32]` holds.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let high = x.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt32>.self)
        return Q4K.registers(x) { j in
            let bits = x.loadUnaligned(fromByteOffset: 48 &+ 32 &* j, as: SIMD8<UInt32>.self)
            let h0 = ((high &>> UInt32(2 &* j)) & 0x0101_0101) &<< 4
            let h1 = ((high &>> UInt32(2 &* j &+ 1)) & 0x0101_0101) &<< 4
            return ((bits & 0x0F0F_0F0F) | h0, ((bits &>> 4) & 0x0F0F_0F0F) | h1)
        }
    }
}
