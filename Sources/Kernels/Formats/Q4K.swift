/// Q4_K: 256 weights in 8 sub-blocks of 32, w = d·sc_j·q − dmin·m_j with 4-bit q and 6-bit
/// sc_j, m_j.
///
///     offset  0  fp16 d           scale of the sub-block scales
///     offset  2  fp16 dmin        scale of the sub-block mins
///     offset  4  u8   scales[12]  sc_j and m_j packed at 6 bits (see `scalesAndMins`)
///     offset 16  u8   qs[128]     sub-block 2i: low nibbles of qs[32i..<32i+32]; 2i+1: high nibbles
///
/// 144 bytes (4.5 bits per weight). Dots with Q8_K activations.
enum Q4K: DotFormat {
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

    /// `ggml_vec_dot_q4_K_q8_K`: per block, d_a·(d·Σ_j sc_j·Σ q·y − dmin·Σ_j m_j·Σ y).
    ///
    /// The nibbles are dotted straight from memory, two 32-byte `vpdpbusd` sums per 32 quant bytes;
    /// Σ y over each sub-block comes from the activations' bsums.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        // Per-lane (sub-block) accumulators: the scale products stay vectors until the end.
        var accScales = SIMD8<Float>(), accMins = SIMD8<Float>()
        for b in 0..<(count / 256) {
            let x = weights + b &* 144, y = activations + b &* 292
            let (scales, mins) = scalesAndMins(x + 4)
            let q4 = (x + 16).assumingMemoryBound(to: UInt8.self)
            let q8 = (y + 4).assumingMemoryBound(to: Int8.self)
            var sums = SIMD8<Int32>()
            for j in 0..<4 {
                var s1: Int32 = 0, s2: Int32 = 0
                for l in 0..<32 {
                    let q = q4[32 &* j &+ l]
                    s1 &+= Int32(q & 0xF) &* Int32(q8[64 &* j &+ l])
                    s2 &+= Int32(q >> 4) &* Int32(q8[64 &* j &+ 32 &+ l])
                }
                sums[2 &* j] = s1
                sums[2 &* j &+ 1] = s2
            }
            let ySums = Lanes.pairSums(y.loadUnaligned(fromByteOffset: 260, as: SIMD8<Int32>.self))
            let dy = y.loadUnaligned(as: Float.self)
            accScales = accScales.addingProduct(Lanes.floats(sums &* lanes(scales)), dy * loadHalf(x, 0))
            accMins = accMins.addingProduct(Lanes.floats(ySums &* lanes(mins)), dy * loadHalf(x, 2))
        }
        return (accScales - accMins).total
    }
}
