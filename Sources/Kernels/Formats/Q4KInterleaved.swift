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

    /// Writes `count` weights of Q4_K super-blocks from `source` (file order) to `destination` in
    /// this layout, four quants at a time: sub-block i's weights w…w + 3 are the low (even i) or
    /// high (odd i) nibbles of the four bytes at qs[32·(i/2) + w].
    static func interleave(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
        for b in 0..<(count / 256) {
            let from = source + b &* 144, to = destination + b &* 144
            to.copyMemory(from: from, byteCount: 16)
            for c in 0..<4 {
                for i in 0..<8 {
                    @inline(__always) func fourQuants(_ w: Int) -> UInt32 {
                        let bytes = from.loadUnaligned(fromByteOffset: 16 &+ 32 &* (i >> 1) &+ w, as: UInt32.self)
                        return (bytes &>> UInt32(4 &* (i & 1))) & 0x0F0F_0F0F
                    }
                    let packed = fourQuants(8 &* c) | fourQuants(8 &* c &+ 4) &<< 4
                    to.storeBytes(of: packed, toByteOffset: 16 &+ 32 &* c &+ 4 &* i, as: UInt32.self)
                }
            }
        }
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 256) {
            let block = src + b &* 144
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let (scales, mins) = Q4K.scalesAndMins(block + 4)
            let y = dst + b &* 256
            for i in 0..<8 {
                // Q4_K's arithmetic, in its order: d·sc·q − dmin·m.
                let d1 = d * Float(UInt8(truncatingIfNeeded: scales &>> UInt64(8 &* i)))
                let m1 = dmin * Float(UInt8(truncatingIfNeeded: mins &>> UInt64(8 &* i)))
                for c in 0..<4 {
                    for k in 0..<4 {
                        let byte = block.load(fromByteOffset: 16 &+ 32 &* c &+ 4 &* i &+ k, as: UInt8.self)
                        y[32 &* i &+ 8 &* c &+ k] = d1 * Float(byte & 0xF) - m1
                        y[32 &* i &+ 8 &* c &+ 4 &+ k] = d1 * Float(byte >> 4) - m1
                    }
                }
            }
        }
    }

    /// Chunk c's 32 bytes as runs 2c (low nibbles) and 2c + 1 (high nibbles).
    @inline(__always)
    private static func runs(_ block: UnsafeRawPointer, chunk c: Int) -> (SIMD32<UInt8>, SIMD32<UInt8>) {
        let bits = block.loadUnaligned(fromByteOffset: 16 &+ 32 &* c, as: SIMD8<UInt32>.self)
        return (unsafeBitCast(bits & 0x0F0F_0F0F, to: SIMD32<UInt8>.self),
                unsafeBitCast((bits &>> 4) & 0x0F0F_0F0F, to: SIMD32<UInt8>.self))
    }

    /// The prefill tile's registers: every run's pair lanes 2i and 2i + 1 are sub-block i's, so
    /// all eight runs share one scale vector. `groupScales` (file order only) is left zero.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let (scales, mins) = Q4K.scalesAndMins(x + 4)
        let wide = Q4K.lanes16(scales)
        var s = SIMD16<Int16>()
        for k in 0..<16 { s[k] = wide[k >> 1] }
        let (q0, q1) = runs(x, chunk: 0), (q2, q3) = runs(x, chunk: 1)
        let (q4, q5) = runs(x, chunk: 2), (q6, q7) = runs(x, chunk: 3)
        return (ScaledRuns(q0: q0, q1: q1, q2: q2, q3: q3, q4: q4, q5: q5, q6: q6, q7: q7,
                           s0: s, s1: s, s2: s, s3: s, s4: s, s5: s, s6: s, s7: s),
                Q4K.header(x, mins: mins, groupScales: SIMD16()))
    }

    /// Decode's super-block: eight byte dots into four chains (lane i: sub-block i), the sums
    /// times their scales in one multiply.
    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        let (scales, mins) = Q4K.scalesAndMins(block + 4)
        @inline(__always) func q8(_ t: Int) -> SIMD32<Int8> { activationRun(y, t) }
        let (q0, q1) = runs(block, chunk: 0), (q2, q3) = runs(block, chunk: 1)
        let (q4, q5) = runs(block, chunk: 2), (q6, q7) = runs(block, chunk: 3)
        // Four chains: one of eight dependent `vpdpbusd`s would wait on each one's latency.
        let s0 = ByteDot.lanes(ByteDot.lanes(SIMD8(), q0, q8(0)), q4, q8(4))
        let s1 = ByteDot.lanes(ByteDot.lanes(SIMD8(), q1, q8(1)), q5, q8(5))
        let s2 = ByteDot.lanes(ByteDot.lanes(SIMD8(), q2, q8(2)), q6, q8(6))
        let s3 = ByteDot.lanes(ByteDot.lanes(SIMD8(), q3, q8(3)), q7, q8(7))
        let header = Q4K.header(block, mins: mins, groupScales: SIMD16())
        return SuperBlockLanes(run: ((s0 &+ s1) &+ (s2 &+ s3)) &* Q4K.lanes(scales),
                               offset: offsetLanes(header, y), dy: y.loadUnaligned(as: Float.self), header: header)
    }
}
