/// Q4_K: 256 weights in 8 sub-blocks of 32, w = d·sc_j·q − dmin·m_j with 4-bit q and 6-bit
/// sc_j, m_j.
///
///     offset  0  fp16 d           scale of the sub-block scales
///     offset  2  fp16 dmin        scale of the sub-block mins
///     offset  4  u8   scales[12]  sc_j and m_j packed at 6 bits (see `scalesAndMins`)
///     offset 16  u8   qs[128]     sub-block 2i: low nibbles of qs[32i..<32i+32]; 2i+1: high nibbles
///
/// 144 bytes (4.5 bits per weight). Dots with Q8_K activations.
enum Q4K: RegisterSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 144
    static var fields: [BlockField] {
        [BlockField("d", 2), BlockField("dmin", 2), BlockField("scales", 12), BlockField("qs", 128)]
    }

    /// Unpacks the 12 scale bytes (also Q5_K's) into eight 6-bit scales and eight 6-bit mins, one
    /// per byte. Bytes 0–3 hold sc_0…3 in their low six bits, bytes 4–7 m_0…3; bytes 8–11 hold the
    /// low four bits of sc_4…7 and m_4…7 in their nibbles, whose top two bits ride in the top two
    /// bits of bytes 0–7 (ggml's `get_scale_min_k4`).
    @inline(__always)
    static func scalesAndMins(_ packed: UnsafeRawPointer) -> (scales: UInt64, mins: UInt64) {
        let u0 = packed.loadUnaligned(as: UInt32.self)
        let u1 = packed.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let u2 = packed.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let scLow = u0 & 0x3F3F_3F3F
        let scHigh = (u2 & 0x0F0F_0F0F) | (((u0 &>> 6) & 0x0303_0303) &<< 4)
        let mLow = u1 & 0x3F3F_3F3F
        let mHigh = ((u2 &>> 4) & 0x0F0F_0F0F) | (((u1 &>> 6) & 0x0303_0303) &<< 4)
        return (UInt64(scLow) | UInt64(scHigh) &<< 32, UInt64(mLow) | UInt64(mHigh) &<< 32)
    }

    /// Eight packed bytes as eight Int16 lanes (one `vpmovzxbw`).
    @inline(__always)
    static func lanes16(_ bytes: UInt64) -> SIMD8<Int16> {
        let v = unsafeBitCast(bytes, to: SIMD8<UInt8>.self)
        var r = SIMD8<Int16>()
        for k in 0..<8 { r[k] = Int16(v[k]) }
        return r
    }

    /// Eight packed bytes as eight Int32 lanes (one `vpmovzxbd`).
    @inline(__always)
    static func lanes(_ bytes: UInt64) -> SIMD8<Int32> {
        let v = unsafeBitCast(bytes, to: SIMD8<UInt8>.self)
        var r = SIMD8<Int32>()
        for k in 0..<8 { r[k] = Int32(v[k]) }
        return r
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 256) {
            let block = src + b &* 144
            let d = loadHalf(block, 0), dmin = loadHalf(block, 2)
            let (scales, mins) = scalesAndMins(block + 4)
            let qs = (block + 16).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 256
            for j in 0..<8 {
                let sc = Float(UInt8(truncatingIfNeeded: scales &>> UInt64(8 &* j)))
                let m = Float(UInt8(truncatingIfNeeded: mins &>> UInt64(8 &* j)))
                let d1 = d * sc, m1 = dmin * m
                let q = qs + 32 &* (j >> 1), shift = UInt8(4 &* (j & 1))
                for l in 0..<32 {
                    y[32 &* j &+ l] = d1 * Float((q[l] >> shift) & 0xF) - m1
                }
            }
        }
    }

    static var foldsOffsets: Bool { false }

    /// The super-block's 8 sub-blocks of quants, each with its scale broadcast to 16 lanes.
    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        registers(x) { j in
            let bits = x.loadUnaligned(fromByteOffset: 16 &+ 32 &* j, as: SIMD8<UInt32>.self)
            return (bits & 0x0F0F_0F0F, (bits &>> 4) & 0x0F0F_0F0F)
        }
    }

    /// Q4_K's and Q5_K's registers: the two formats share the header (d, dmin and the 6-bit
    /// scales and mins) and differ in their quants, which `quants(j)` gives for sub-blocks 2j
    /// and 2j + 1 as 32 bytes each.
    @inline(__always)
    static func registers(
        _ x: UnsafeRawPointer, quants: (Int) -> (SIMD8<UInt32>, SIMD8<UInt32>)
    ) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        let (scales, mins) = scalesAndMins(x + 4)
        @inline(__always) func nibbles(_ j: Int) -> (SIMD32<UInt8>, SIMD32<UInt8>) {
            let (even, odd) = quants(j)
            return (unsafeBitCast(even, to: SIMD32<UInt8>.self), unsafeBitCast(odd, to: SIMD32<UInt8>.self))
        }
        // The eight 6-bit scales as Int16 lanes, in both halves, then one shuffle per sub-block.
        let wide = lanes16(scales)
        let both = SIMD16<Int16>(lowHalf: wide, highHalf: wide)
        @inline(__always) func scale(_ j: Int) -> SIMD16<Int16> { ByteDot.broadcast(both, lane: j) }
        let (q0, q1) = nibbles(0), (q2, q3) = nibbles(1), (q4, q5) = nibbles(2), (q6, q7) = nibbles(3)
        let scaled = ScaledRuns(q0: q0, q1: q1, q2: q2, q3: q3, q4: q4, q5: q5, q6: q6, q7: q7,
                              s0: scale(0), s1: scale(1), s2: scale(2), s3: scale(3),
                              s4: scale(4), s5: scale(5), s6: scale(6), s7: scale(7))
        // Groups 2j and 2j + 1 are sub-block j's halves: `both` is already their even/odd layout.
        return (scaled, header(x, mins: mins, groupScales: both))
    }

    /// The header of the super-block at `x` (Q4_K's or Q5_K's) with its `mins`. The offset term is
    /// −dmin·Σ_j m_j·Σ y over sub-block j: each min weighs its sub-block's two bsums (one
    /// `vpmovzxbw` and one word shuffle).
    @inline(__always)
    static func header(_ x: UnsafeRawPointer, mins: UInt64, groupScales: SIMD16<Int16>) -> SuperBlockHeader {
        let minLanes = lanes16(mins)
        var offsets = SIMD16<Int16>()
        for k in 0..<16 { offsets[k] = minLanes[k >> 1] }
        return SuperBlockHeader(offsets: offsets, d: loadHalf(x, 0), offsetScale: -loadHalf(x, 2),
                                groupScales: groupScales)
    }
}
