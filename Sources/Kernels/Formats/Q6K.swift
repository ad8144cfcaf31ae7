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
enum Q6K: RegisterSuperBlock {
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

    static var foldsOffsets: Bool { true }

    /// The super-block's quants (0…63) in eight runs of 32, the two group scales of each run
    /// spread over its 16 pair lanes.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let scales = x.loadUnaligned(fromByteOffset: 192, as: SIMD16<Int8>.self)
        let d = loadHalf(x, 208)
        // The runs hold q, not q − 32: the offset term −32·Σ_g sc_g·Σ y over group g takes the
        // difference off (as llama.cpp's AVX2 kernel does), from the activations' bsums.
        return registers(scales: scales, offsets: Lanes.widen(scales) &* -32, d: d, offsetScale: d) { n in
            let a = x.loadUnaligned(fromByteOffset: 64 &* n, as: SIMD8<UInt32>.self)
            let b = x.loadUnaligned(fromByteOffset: 64 &* n &+ 32, as: SIMD8<UInt32>.self)
            let h = x.loadUnaligned(fromByteOffset: 128 &+ 32 &* n, as: SIMD8<UInt32>.self)
            return ((a & 0x0F0F_0F0F) | ((h & 0x0303_0303) &<< 4),
                    (b & 0x0F0F_0F0F) | (((h &>> 2) & 0x0303_0303) &<< 4),
                    ((a &>> 4) & 0x0F0F_0F0F) | (((h &>> 4) & 0x0303_0303) &<< 4),
                    ((b &>> 4) & 0x0F0F_0F0F) | (((h &>> 6) & 0x0303_0303) &<< 4))
        }
    }

    /// The registers of a K-quant of sixteen 16-weight groups, each with its own scale, whose run
    /// c (32 weights) holds groups 2c and 2c + 1: Q6_K, Q3_K and Q2_K. `runs(n)` gives runs
    /// 4n…4n + 3 as 32 unsigned quants each.
    @inline(__always)
    static func registers(
        scales bytes: SIMD16<Int8>, offsets: SIMD16<Int16>, d: Float, offsetScale: Float,
        runs: (Int) -> (SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>, SIMD8<UInt32>)
    ) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        @inline(__always) func quants(_ n: Int) -> (SIMD32<UInt8>, SIMD32<UInt8>, SIMD32<UInt8>, SIMD32<UInt8>) {
            let (a, b, c, e) = runs(n)
            return (unsafeBitCast(a, to: SIMD32<UInt8>.self), unsafeBitCast(b, to: SIMD32<UInt8>.self),
                    unsafeBitCast(c, to: SIMD32<UInt8>.self), unsafeBitCast(e, to: SIMD32<UInt8>.self))
        }
        let scales = Lanes.widen(bytes)
        // Run c needs sc_2c in its first eight pair lanes and sc_2c+1 in the last eight: two
        // broadcasts from the scales' two halves, each half holding eight of them.
        let low = SIMD16<Int16>(lowHalf: scales.lowHalf, highHalf: scales.lowHalf)
        let high = SIMD16<Int16>(lowHalf: scales.highHalf, highHalf: scales.highHalf)
        @inline(__always) func pair(_ c: Int) -> SIMD16<Int16> {
            let half = c < 4 ? low : high, k = (2 &* c) & 7
            return SIMD16(lowHalf: ByteDot.broadcast(half, lane: k).lowHalf,
                          highHalf: ByteDot.broadcast(half, lane: k &+ 1).highHalf)
        }
        let (q0, q1, q2, q3) = quants(0), (q4, q5, q6, q7) = quants(1)
        let scaled = ScaledRuns(q0: q0, q1: q1, q2: q2, q3: q3, q4: q4, q5: q5, q6: q6, q7: q7,
                              s0: pair(0), s1: pair(1), s2: pair(2), s3: pair(3),
                              s4: pair(4), s5: pair(5), s6: pair(6), s7: pair(7))
        // Even groups' scales, then odd groups' (one byte shuffle and one widening).
        return (scaled, SuperBlockHeader(offsets: offsets, d: d, offsetScale: offsetScale,
                                         groupScales: Lanes.widen(evenOdd(bytes))))
    }

    /// Sixteen groups' scales reordered: the even groups' in lanes 0..<8, the odd groups' in 8..<16.
    @inline(__always)
    static func evenOdd(_ scales: SIMD16<Int8>) -> SIMD16<Int8> {
        var r = SIMD16<Int8>()
        for k in 0..<8 { r[k] = scales[2 &* k]; r[k &+ 8] = scales[2 &* k &+ 1] }
        return r
    }
}
