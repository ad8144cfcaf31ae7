/// Q4_K interleaved (`InterleavedSuperBlock`): the same header, and the quants of sub-block i
/// (scale sc_i, min m_i) in lane i of every run:
///
///     qs[32c + 4i + k]  (c < 4, i < 8, k < 4)   low nibble:  sub-block i, weight 8c + k
///                                               high nibble: sub-block i, weight 8c + 4 + k
///
/// Run 2c is chunk c's low nibbles, run 2c + 1 its high nibbles.
enum Q4KInterleaved: InterleavedSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 144
    static var fields: [BlockField] { Q4K.fields }
    static var foldsOffsets: Bool { false }

    static func interleave(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
        for b in 0..<(count / 256) {
            let from = source + b &* 144, to = destination + b &* 144
            to.copyMemory(from: from, byteCount: 16)
            interleaveNibbles(from + 16, into: to + 16)
        }
    }

    /// Q4_K's 128 bytes of nibbles (also Q5_K's low four bits) from file order at `source` to this
    /// layout, four quants at a time: sub-block i's weights w…w + 3 are the low (even i) or high
    /// (odd i) nibbles of the four bytes at source[32·(i/2) + w].
    static func interleaveNibbles(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer) {
        for c in 0..<4 {
            for i in 0..<8 {
                @inline(__always) func fourQuants(_ w: Int) -> UInt32 {
                    let bytes = source.loadUnaligned(fromByteOffset: 32 &* (i >> 1) &+ w, as: UInt32.self)
                    return (bytes &>> UInt32(4 &* (i & 1))) & 0x0F0F_0F0F
                }
                let packed = fourQuants(8 &* c) | fourQuants(8 &* c &+ 4) &<< 4
                destination.storeBytes(of: packed, toByteOffset: 32 &* c &+ 4 &* i, as: UInt32.self)
            }
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        dequantize(src, dst, count: count, blockBytes: 144) { block, t in nibbles(block + 16, run: t) }
    }

    /// Q4_K's or Q5_K's dequantization (d·sc_i·q − dmin·m_i, in their order) from `run(block, t)`.
    @inline(__always)
    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int, blockBytes: Int,
                           run: (UnsafeRawPointer, Int) -> SIMD32<UInt8>) {
        for b in 0..<(count / 256) {
            let block = src + b &* blockBytes
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let (scales, mins) = Q4K.scalesAndMins(block + 4)
            let y = dst + b &* 256
            for t in 0..<8 {
                let q = run(block, t)
                for i in 0..<8 {
                    let d1 = d * Float(UInt8(truncatingIfNeeded: scales &>> UInt64(8 &* i)))
                    let m1 = dmin * Float(UInt8(truncatingIfNeeded: mins &>> UInt64(8 &* i)))
                    for k in 0..<4 { y[32 &* i &+ 4 &* t &+ k] = d1 * Float(q[4 &* i &+ k]) - m1 }
                }
            }
        }
    }

    /// Run t's four-bit quants from the 128 bytes of nibbles at `qs`.
    @inline(__always)
    static func nibbles(_ qs: UnsafeRawPointer, run t: Int) -> SIMD32<UInt8> {
        let bits = qs.loadUnaligned(fromByteOffset: 32 &* (t >> 1), as: SIMD8<UInt32>.self)
        return unsafeBitCast((t & 1 == 0 ? bits : bits &>> 4) & 0x0F0F_0F0F, to: SIMD32<UInt8>.self)
    }

    /// The prefill tile's registers: every run's pair lanes 2i and 2i + 1 are sub-block i's, so
    /// all eight runs share one scale vector. `groupScales` (file order only) is left zero.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        registers(x) { t in nibbles(x + 16, run: t) }
    }

    /// Q4_K's or Q5_K's registers from their runs.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer,
                          run: (Int) -> SIMD32<UInt8>) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let (scales, mins) = Q4K.scalesAndMins(x + 4)
        let wide = Q4K.lanes16(scales)
        var s = SIMD16<Int16>()
        for k in 0..<16 { s[k] = wide[k >> 1] }
        return (ScaledRuns(q0: run(0), q1: run(1), q2: run(2), q3: run(3), q4: run(4), q5: run(5), q6: run(6),
                           q7: run(7), s0: s, s1: s, s2: s, s3: s, s4: s, s5: s, s6: s, s7: s),
                Q4K.header(x, mins: mins, groupScales: SIMD16()))
    }

    /// Decode's super-block: eight byte dots into four chains (lane i: sub-block i), the sums
    /// times their scales in one multiply.
    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        lanes(block, y) { t in nibbles(block + 16, run: t) }
    }

    /// Q4_K's or Q5_K's decode lanes from their runs.
    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer,
                      run: (Int) -> SIMD32<UInt8>) -> SuperBlockLanes {
        let (scales, mins) = Q4K.scalesAndMins(block + 4)
        @inline(__always) func dot(_ t: Int, _ acc: SIMD8<Int32>) -> SIMD8<Int32> {
            ByteDot.lanes(acc, run(t), activationRun(y, t))
        }
        // Four chains: one of eight dependent `vpdpbusd`s would wait on each one's latency.
        let sums = (dot(4, dot(0, SIMD8())) &+ dot(5, dot(1, SIMD8()))) &+ (dot(6, dot(2, SIMD8())) &+ dot(7, dot(3, SIMD8())))
        let header = Q4K.header(block, mins: mins, groupScales: SIMD16())
        return SuperBlockLanes(run: sums &* Q4K.lanes(scales), offset: offsetLanes(header, y),
                               dy: y.loadUnaligned(as: Float.self), header: header)
    }
}
