/// Q3_K: 256 weights in 16 groups of 16, w = d·(sc_g − 32)·(q − 4) with 3-bit q and 6-bit sc_g.
///
///     offset   0  u8   hmask[32]   bit (4n + j) of hmask[l]: third bit of weight 128n + 32j + l,
///                                  stored inverted (set means q ≥ 4, i.e. no −4)
///     offset  32  u8   qs[64]      two low bits: bits 2j…2j+1 of qs[32n + l] for weight 128n + 32j + l
///     offset  96  u8   scales[12]  sixteen 6-bit scales (see `scales`)
///     offset 108  fp16 d           scale of the scales
///
/// 110 bytes (3.4375 bits per weight). Dots with Q8_K activations.
enum Q3K: RegisterSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 110
    static var fields: [BlockField] {
        [BlockField("hmask", 32), BlockField("qs", 64), BlockField("scales", 12), BlockField("d", 2)]
    }

    /// The sixteen 6-bit scales, one per byte (before the −32): bytes 0–7 hold the low four bits of
    /// scales 0–7 (low nibbles) and 8–15 (high nibbles); bytes 8–11 hold the top two bits, scale
    /// 4k+i in bits 2k…2k+1 of byte 8+i.
    @inline(__always)
    static func scales(_ packed: UnsafeRawPointer) -> SIMD4<UInt32> {
        let a0 = packed.loadUnaligned(as: UInt32.self)
        let a1 = packed.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let t = packed.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        return SIMD4(
            (a0 & 0x0F0F_0F0F) | ((t & 0x0303_0303) &<< 4),
            (a1 & 0x0F0F_0F0F) | (((t &>> 2) & 0x0303_0303) &<< 4),
            ((a0 &>> 4) & 0x0F0F_0F0F) | (((t &>> 4) & 0x0303_0303) &<< 4),
            ((a1 &>> 4) & 0x0F0F_0F0F) | (((t &>> 6) & 0x0303_0303) &<< 4))
    }

    /// Writes the super-block's 256 quants plus 4 (0…7) as bytes, in weight order.
    @inline(__always)
    static func unpack(_ block: UnsafeRawPointer, _ out: UnsafeMutableRawPointer) {
        let h = block.loadUnaligned(as: SIMD8<UInt32>.self)
        for n in 0..<2 {
            let v = block.loadUnaligned(fromByteOffset: 32 &+ 32 &* n, as: SIMD8<UInt32>.self)
            for j in 0..<4 {
                let low = (v &>> UInt32(2 &* j)) & 0x0303_0303
                let high = ((h &>> UInt32(4 &* n &+ j)) & 0x0101_0101) &<< 2
                out.storeBytes(of: low | high, toByteOffset: 128 &* n &+ 32 &* j, as: SIMD8<UInt32>.self)
            }
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        withUnsafeTemporaryAllocation(byteCount: 256 &+ 16, alignment: Scratch.alignment) { buffer in
            let q = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let sc = (buffer.baseAddress! + 256).assumingMemoryBound(to: Int8.self)
            for b in 0..<(count / 256) {
                let block = src + b &* 110
                unpack(block, UnsafeMutableRawPointer(q))
                UnsafeMutableRawPointer(sc).storeBytes(of: scales(block + 96), as: SIMD4<UInt32>.self)
                let d = loadHalf(block, 108)
                let y = dst + b &* 256
                for g in 0..<16 {
                    let dl = d * Float(Int32(sc[g]) &- 32)
                    for l in 0..<16 {
                        y[16 &* g &+ l] = dl * Float(Int32(q[16 &* g &+ l]) &- 4)
                    }
                }
            }
        }
    }

    static var foldsOffsets: Bool { true }

    /// The super-block's quants plus 4 (0…7) in eight runs of 32 (run 4n + j: bits 2j…2j+1 of
    /// `qs[32n..<32n+32]` and bit 4n + j of `hmask`), with the scales sc_g − 32; the offset
    /// term −4·Σ_g (sc_g − 32)·Σ y takes the 4 off again, from the activations' bsums.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let scales = unsafeBitCast(scales(x + 96), to: SIMD16<Int8>.self) &- 32
        let h = x.loadUnaligned(as: SIMD8<UInt32>.self)
        let d = loadHalf(x, 108)
        return Q6K.registers(scales: scales, offsets: Lanes.widen(scales) &* -4, d: d, offsetScale: d) { n in
            let v = x.loadUnaligned(fromByteOffset: 32 &+ 32 &* n, as: SIMD8<UInt32>.self)
            @inline(__always) func run(_ j: Int) -> SIMD8<UInt32> {
                ((v &>> UInt32(2 &* j)) & 0x0303_0303) | (((h &>> UInt32(4 &* n &+ j)) & 0x0101_0101) &<< 2)
            }
            return (run(0), run(1), run(2), run(3))
        }
    }
}
