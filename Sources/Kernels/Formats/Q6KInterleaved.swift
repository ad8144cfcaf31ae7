/// Q6_K interleaved (`InterleavedSuperBlock`): the same scales and d, and the quants of run t,
/// lane i, byte k (weight 32i + 4t + k, in group 2i + t/4) split as
///
///     offset   0  ql[32c + 4i + k]  (c < 4)  low nibble:  low four bits of run 2c's
///                                            high nibble: low four bits of run 2c + 1's
///     offset 128  qh[32h + 4i + k]  (h < 2)  bits 2s, 2s + 1: top two bits of run 4h + s's
///     offset 192  int8 scales[16], offset 208 fp16 d, as in Q6_K
///
/// Runs 0–3 hold the even groups and runs 4–7 the odd ones, so two multiplies scale them.
enum Q6KInterleaved: InterleavedSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 210
    static var fields: [BlockField] { Q6K.fields }
    static var foldsOffsets: Bool { true }

    static func interleave(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: Scratch.alignment) { buffer in
            let q = UnsafeRawPointer(buffer.baseAddress!)
            for b in 0..<(count / 256) {
                let from = source + b &* 210, to = destination + b &* 210
                Q6K.unpack(from, buffer.baseAddress!)
                // Four quants of sub-block i from weight w on, one per byte.
                @inline(__always) func four(_ i: Int, _ w: Int) -> UInt32 {
                    q.loadUnaligned(fromByteOffset: 32 &* i &+ w, as: UInt32.self)
                }
                for i in 0..<8 {
                    for c in 0..<4 {
                        let low = (four(i, 8 &* c) & 0x0F0F_0F0F) | (four(i, 8 &* c &+ 4) & 0x0F0F_0F0F) &<< 4
                        to.storeBytes(of: low, toByteOffset: 32 &* c &+ 4 &* i, as: UInt32.self)
                    }
                    for h in 0..<2 {
                        var high: UInt32 = 0
                        for s in 0..<4 {
                            high |= ((four(i, 16 &* h &+ 4 &* s) &>> 4) & 0x0303_0303) &<< UInt32(2 &* s)
                        }
                        to.storeBytes(of: high, toByteOffset: 128 &+ 32 &* h &+ 4 &* i, as: UInt32.self)
                    }
                }
                (to + 192).copyMemory(from: from + 192, byteCount: 18)
            }
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 256) {
            let block = src + b &* 210
            let d = loadHalf(block, 208)
            let y = dst + b &* 256
            for t in 0..<8 {
                let run = quants(block, run: t)
                for i in 0..<8 {
                    // Q6_K's arithmetic, in its order: (d·sc_g)·(q − 32).
                    let dg = d * Float(block.load(fromByteOffset: 192 &+ 2 &* i &+ t / 4, as: Int8.self))
                    for k in 0..<4 {
                        y[32 &* i &+ 4 &* t &+ k] = dg * Float(Int32(run[4 &* i &+ k]) &- 32)
                    }
                }
            }
        }
    }

    /// Run t's 32 quants (0…63).
    @inline(__always)
    private static func quants(_ block: UnsafeRawPointer, run t: Int) -> SIMD32<UInt8> {
        let ql = block.loadUnaligned(fromByteOffset: 32 &* (t >> 1), as: SIMD8<UInt32>.self)
        let qh = block.loadUnaligned(fromByteOffset: 128 &+ 32 &* (t >> 2), as: SIMD8<UInt32>.self)
        let low = (t & 1 == 0 ? ql : ql &>> 4) & 0x0F0F_0F0F
        // Bits 2s, 2s + 1 of each byte to bits 4, 5 (s = t mod 4).
        let high: SIMD8<UInt32> = switch t & 3 {
        case 0: (qh &<< 4) & 0x3030_3030
        case 1: (qh &<< 2) & 0x3030_3030
        case 2: qh & 0x3030_3030
        default: (qh &>> 2) & 0x3030_3030
        }
        return unsafeBitCast(low | high, to: SIMD32<UInt8>.self)
    }

    /// The header: the offset term −32·Σ_g sc_g·Σ y over group g, in the runs' scale, as Q6_K's.
    @inline(__always)
    private static func header(_ x: UnsafeRawPointer, _ scales: SIMD16<Int8>) -> SuperBlockHeader {
        let d = loadHalf(x, 208)
        return SuperBlockHeader(offsets: Lanes.widen(scales) &* -32, d: d, offsetScale: d, groupScales: SIMD16())
    }

    /// The prefill tile's registers: runs 0–3's pair lanes 2i and 2i + 1 take the scale of group
    /// 2i, runs 4–7's that of group 2i + 1.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let scales = x.loadUnaligned(fromByteOffset: 192, as: SIMD16<Int8>.self)
        let wide = Lanes.widen(Q6K.evenOdd(scales))
        var even = SIMD16<Int16>(), odd = even
        for k in 0..<16 { even[k] = wide[k >> 1]; odd[k] = wide[8 &+ k >> 1] }
        return (ScaledRuns(q0: quants(x, run: 0), q1: quants(x, run: 1), q2: quants(x, run: 2),
                           q3: quants(x, run: 3), q4: quants(x, run: 4), q5: quants(x, run: 5),
                           q6: quants(x, run: 6), q7: quants(x, run: 7),
                           s0: even, s1: even, s2: even, s3: even, s4: odd, s5: odd, s6: odd, s7: odd),
                header(x, scales))
    }

    /// Decode's super-block: runs 0–3 and 4–7 in two chains each (lane i: group 2i, or 2i + 1),
    /// each half times its scales in one multiply.
    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        @inline(__always) func dot(_ t: Int, _ acc: SIMD8<Int32>) -> SIMD8<Int32> {
            ByteDot.lanes(acc, quants(block, run: t), activationRun(y, t))
        }
        let even = dot(2, dot(0, SIMD8())) &+ dot(3, dot(1, SIMD8()))
        let odd = dot(6, dot(4, SIMD8())) &+ dot(7, dot(5, SIMD8()))
        let scales = block.loadUnaligned(fromByteOffset: 192, as: SIMD16<Int8>.self)
        let sorted = Q6K.evenOdd(scales)
        var evenScales = SIMD8<Int32>(), oddScales = evenScales
        for k in 0..<8 { evenScales[k] = Int32(sorted[k]); oddScales[k] = Int32(sorted[k &+ 8]) }
        let h = header(block, scales)
        return SuperBlockLanes(run: even &* evenScales &+ odd &* oddScales, offset: offsetLanes(h, y),
                               dy: y.loadUnaligned(as: Float.self), header: h)
    }
}
