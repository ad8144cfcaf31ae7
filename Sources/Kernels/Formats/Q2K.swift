/// Q2_K: 256 weights in 16 groups of 16, w = d·sc_g·q − dmin·m_g with 2-bit q and 4-bit sc_g, m_g.
///
///     offset  0  u8   scales[16]  sc_g in the low nibble, m_g in the high nibble
///     offset 16  u8   qs[64]      bits 2j…2j+1 of qs[32n + l] for weight 128n + 32j + l
///     offset 80  fp16 d           scale of the scales
///     offset 82  fp16 dmin        scale of the mins
///
/// 84 bytes (2.625 bits per weight). Dots with Q8_K activations.
enum Q2K: RegisterSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 84
    static var fields: [BlockField] {
        [BlockField("scales", 16), BlockField("qs", 64), BlockField("d", 2), BlockField("dmin", 2)]
    }

    /// Writes the super-block's 256 two-bit quants as bytes, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        for n in 0..<2 {
            let v = block.loadUnaligned(fromByteOffset: 16 &+ 32 &* n, as: SIMD8<UInt32>.self)
            for j in 0..<4 {
                out.storeBytes(of: (v &>> UInt32(2 &* j)) & 0x0303_0303,
                               toByteOffset: 128 &* n &+ 32 &* j, as: SIMD8<UInt32>.self)
            }
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for b in 0..<(count / 256) {
                let block = src + b &* 84
                unpack(block, UnsafeMutableRawPointer(q))
                let d = loadHalf(block, 80), dmin = loadHalf(block, 82)
                let scales = block.assumingMemoryBound(to: UInt8.self)
                let y = dst + b &* 256
                for g in 0..<16 {
                    let dl = d * Float(scales[g] & 0xF), ml = dmin * Float(scales[g] >> 4)
                    for l in 0..<16 {
                        y[16 &* g &+ l] = dl * Float(q[16 &* g &+ l]) - ml
                    }
                }
            }
        }
    }

    static var foldsOffsets: Bool { false }

    /// The super-block's quants (0…3) in eight runs of 32 (run 4n + j: bits 2j…2j+1 of
    /// `qs[32n..<32n+32]`), with the scales sc_g; the offset term is −dmin·Σ_g m_g·Σ y.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let packed = x.loadUnaligned(as: SIMD16<UInt8>.self)
        let scales = unsafeBitCast(packed & 0x0F, to: SIMD16<Int8>.self)
        let mins = Lanes.widen(unsafeBitCast(packed &>> 4, to: SIMD16<Int8>.self))
        return Q6K.registers(scales: scales, offsets: mins, d: loadHalf(x, 80), offsetScale: -loadHalf(x, 82)) { n in
            let v = x.loadUnaligned(fromByteOffset: 16 &+ 32 &* n, as: SIMD8<UInt32>.self)
            return (v & 0x0303_0303, (v &>> 2) & 0x0303_0303, (v &>> 4) & 0x0303_0303, (v &>> 6) & 0x0303_0303)
        }
    }
}
