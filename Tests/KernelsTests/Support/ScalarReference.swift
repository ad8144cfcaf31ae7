// Plain scalar references for the kernels, written straight from ggml's generic C
// (dequantize_row_*, ggml_vec_dot_*_generic, quantize_row_*_ref): one weight at a time, by index.
import Kernels

/// Little-endian field reads from a byte array.
struct Bytes {
    let b: [UInt8]
    init(_ b: [UInt8]) { self.b = b }
    subscript(_ i: Int) -> UInt8 { b[i] }
    func i8(_ i: Int) -> Int { Int(Int8(bitPattern: b[i])) }
    func u16(_ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    func i16(_ i: Int) -> Int { Int(Int16(bitPattern: u16(i))) }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func f16(_ i: Int) -> Double { Double(Float(Float16(bitPattern: u16(i)))) }
    func f32(_ i: Int) -> Double { Double(Float(bitPattern: u32(i))) }
}

/// A dot product's exact-ish value (in Double) and Σ|terms|, the scale its rounding error is measured on.
struct ReferenceDot {
    var value = 0.0
    var magnitude = 0.0
    mutating func add(_ term: Double) {
        value += term
        magnitude += abs(term)
    }
}

enum Reference {
    /// The integer quant of weight `e` of the block starting at byte `o` (for the q8 formats the
    /// stored int8; for K-quants before any offset is subtracted, exactly as ggml's loops index them).
    static func quant(_ f: WeightFormat, _ x: Bytes, _ o: Int, _ e: Int) -> Int {
        switch f {
        case .q4_0, .q4_1:
            let qs = o + (f == .q4_0 ? 2 : 4)
            return Int(e < 16 ? x[qs + e] & 0xF : x[qs + e - 16] >> 4)
        case .q5_0, .q5_1:
            let qh = x.u32(o + (f == .q5_0 ? 2 : 4)), qs = o + (f == .q5_0 ? 6 : 8)
            let low = Int(e < 16 ? x[qs + e] & 0xF : x[qs + e - 16] >> 4)
            return low | Int((qh >> UInt32(e)) & 1) << 4
        case .q8_0: return x.i8(o + 2 + e)
        case .q8_1: return x.i8(o + 4 + e)
        case .q8_K: return x.i8(o + 4 + e)
        case .q2_K:
            let n = e / 128, j = (e % 128) / 32, l = e % 32
            return Int((x[o + 16 + 32 * n + l] >> UInt8(2 * j)) & 3)
        case .q3_K:
            let n = e / 128, j = (e % 128) / 32, l = e % 32
            let low = Int((x[o + 32 + 32 * n + l] >> UInt8(2 * j)) & 3)
            let bit = (x[o + l] >> UInt8(4 * n + j)) & 1
            return low - (bit == 1 ? 0 : 4)
        case .q4_K:
            let j = e / 32, l = e % 32
            let byte = x[o + 16 + 32 * (j / 2) + l]
            return Int(j % 2 == 0 ? byte & 0xF : byte >> 4)
        case .q5_K:
            let j = e / 32, l = e % 32
            let byte = x[o + 48 + 32 * (j / 2) + l]
            let low = Int(j % 2 == 0 ? byte & 0xF : byte >> 4)
            return low | Int((x[o + 16 + l] >> UInt8(j)) & 1) << 4
        case .q6_K:
            let n = e / 128, m = (e % 128) / 32, l = e % 32
            let qlByte = x[o + 64 * n + l + (m % 2 == 1 ? 32 : 0)]
            let low = Int(m < 2 ? qlByte & 0xF : qlByte >> 4)
            let high = Int((x[o + 128 + 32 * n + l] >> UInt8(2 * m)) & 3)
            return (low | high << 4) - 32
        case .f32, .f16, .bf16: fatalError("not quantized")
        }
    }

    /// ggml's `get_scale_min_k4`: 6-bit scale and min of sub-block j of a Q4_K/Q5_K block.
    static func scaleMinK4(_ x: Bytes, _ o: Int, _ j: Int) -> (sc: Int, m: Int) {
        let q = o + 4
        if j < 4 { return (Int(x[q + j] & 63), Int(x[q + j + 4] & 63)) }
        return (Int((x[q + j + 4] & 0xF) | ((x[q + j - 4] >> 6) << 4)),
                Int((x[q + j + 4] >> 4) | ((x[q + j] >> 6) << 4)))
    }

    /// Q3_K's 6-bit scale s (before the −32), from its packing as described in gguf-py.
    static func scaleQ3K(_ x: Bytes, _ o: Int, _ s: Int) -> Int {
        let p = o + 96
        let low = Int(s < 8 ? x[p + s] & 0xF : x[p + s - 8] >> 4)
        let high = Int((x[p + 8 + s % 4] >> UInt8(2 * (s / 4))) & 3)
        return low | high << 4
    }

    /// ggml's `vec_dot` for `f` on one weight row and its activation row, one block at a time.
    static func dot(_ f: WeightFormat, _ w: [UInt8], _ a: [UInt8], count: Int) -> ReferenceDot {
        let x = Bytes(w), y = Bytes(a)
        var r = ReferenceDot()
        switch f {
        case .f32, .f16, .bf16:
            for i in 0..<count {
                let wi: Double = switch f {
                case .f32: x.f32(4 * i)
                case .f16: x.f16(2 * i)
                default: Double(Float(bitPattern: UInt32(x.u16(2 * i)) << 16))
                }
                r.add(wi * y.f32(4 * i))
            }
        case .q4_0, .q5_0, .q8_0:
            let offset = f == .q4_0 ? 8 : f == .q5_0 ? 16 : 0
            for b in 0..<(count / 32) {
                let o = b * f.bytesPerBlock, oy = b * 34
                var sumi = 0
                for j in 0..<32 { sumi += (quant(f, x, o, j) - offset) * y.i8(oy + 2 + j) }
                r.add(Double(sumi) * x.f16(o) * y.f16(oy))
            }
        case .q4_1, .q5_1, .q8_1:
            for b in 0..<(count / 32) {
                let o = b * f.bytesPerBlock, oy = b * 36
                var sumi = 0
                for j in 0..<32 { sumi += quant(f, x, o, j) * y.i8(oy + 4 + j) }
                r.add(x.f16(o) * y.f16(oy) * Double(sumi))
                if f != .q8_1 { r.add(x.f16(o + 2) * y.f16(oy + 2)) }
            }
        case .q2_K:
            for b in 0..<(count / 256) {
                let o = b * 84, oy = b * 292
                var isum = 0, summs = 0
                for g in 0..<16 {
                    var s = 0, ysum = 0
                    for l in 0..<16 {
                        s += quant(f, x, o, 16 * g + l) * y.i8(oy + 4 + 16 * g + l)
                        ysum += y.i8(oy + 4 + 16 * g + l)
                    }
                    isum += Int(x[o + g] & 0xF) * s
                    summs += Int(x[o + g] >> 4) * ysum
                }
                let dy = y.f32(oy)
                r.add(dy * x.f16(o + 80) * Double(isum))
                r.add(-dy * x.f16(o + 82) * Double(summs))
            }
        case .q3_K, .q6_K:
            let bytes = f == .q3_K ? 110 : 210
            for b in 0..<(count / 256) {
                let o = b * bytes, oy = b * 292
                var isum = 0
                for g in 0..<16 {
                    var s = 0
                    for l in 0..<16 { s += quant(f, x, o, 16 * g + l) * y.i8(oy + 4 + 16 * g + l) }
                    isum += (f == .q3_K ? scaleQ3K(x, o, g) - 32 : x.i8(o + 192 + g)) * s
                }
                r.add(x.f16(o + (f == .q3_K ? 108 : 208)) * y.f32(oy) * Double(isum))
            }
        case .q4_K, .q5_K:
            let bytes = f == .q4_K ? 144 : 176
            for b in 0..<(count / 256) {
                let o = b * bytes, oy = b * 292
                var isum = 0, msum = 0
                for j in 0..<8 {
                    let (sc, m) = scaleMinK4(x, o, j)
                    var s = 0, ysum = 0
                    for l in 0..<32 {
                        s += quant(f, x, o, 32 * j + l) * y.i8(oy + 4 + 32 * j + l)
                        ysum += y.i8(oy + 4 + 32 * j + l)
                    }
                    isum += sc * s
                    msum += m * ysum
                }
                let dy = y.f32(oy)
                r.add(dy * x.f16(o) * Double(isum))
                r.add(-dy * x.f16(o + 2) * Double(msum))
            }
        case .q8_K:
            for b in 0..<(count / 256) {
                let o = b * 292
                var sumi = 0
                for j in 0..<256 { sumi += x.i8(o + 4 + j) * y.i8(o + 4 + j) }
                r.add(x.f32(o) * y.f32(o) * Double(sumi))
            }
        }
        return r
    }

    // MARK: Activation quantizers (ggml-quants.c *_ref; with `x86Runtime`, ggml-cpu's AVX2
    // quantize_row_q8_0/_q8_1: id = 127/max, ties to even), one value at a time.

    static func quantizeQ8_0(_ x: [Float], x86Runtime: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for b in 0..<(x.count / 32) {
            let v = x[(32 * b)..<(32 * b + 32)]
            var amax: Float = 0
            for e in v { amax = max(amax, abs(e)) }
            let d = amax / 127
            let id: Float = x86Runtime ? (amax != 0 ? 127 / amax : 0) : (d != 0 ? 1 / d : 0)
            let rule: FloatingPointRoundingRule = x86Runtime ? .toNearestOrEven : .toNearestOrAwayFromZero
            out += withUnsafeBytes(of: Float16(d).bitPattern.littleEndian, Array.init)
            for e in v { out.append(UInt8(bitPattern: Int8((e * id).rounded(rule)))) }
        }
        return out
    }

    static func quantizeQ8_1(_ x: [Float], x86Runtime: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        for b in 0..<(x.count / 32) {
            let v = x[(32 * b)..<(32 * b + 32)]
            var amax: Float = 0
            for e in v { amax = max(amax, abs(e)) }
            let d = amax / 127
            let id: Float = x86Runtime ? (amax != 0 ? 127 / amax : 0) : (d != 0 ? 1 / d : 0)
            let rule: FloatingPointRoundingRule = x86Runtime ? .toNearestOrEven : .toNearestOrAwayFromZero
            let q = v.map { Int8(($0 * id).rounded(rule)) }
            let sum = q.reduce(0) { $0 + Int($1) }
            out += withUnsafeBytes(of: Float16(d).bitPattern.littleEndian, Array.init)
            out += withUnsafeBytes(of: Float16(Float(sum) * d).bitPattern.littleEndian, Array.init)
            out += q.map { UInt8(bitPattern: $0) }
        }
        return out
    }

    /// ggml's `nearest_int`, spelled as the C does it: add 1.5·2²³ and read the low mantissa bits.
    static func nearestInt(_ f: Float) -> Int {
        let bits = (f + 12_582_912).bitPattern
        return Int(bits & 0x007F_FFFF) - 0x0040_0000
    }

    static func quantizeQ8K(_ x: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for b in 0..<(x.count / 256) {
            let v = Array(x[(256 * b)..<(256 * b + 256)])
            var amax: Float = 0, maxValue: Float = 0
            for e in v where abs(e) > amax {
                amax = abs(e)
                maxValue = e
            }
            if amax == 0 {
                out += [UInt8](repeating: 0, count: 292)
                continue
            }
            let iscale = -127 / maxValue
            let q = v.map { Int8(min(127, nearestInt(iscale * $0))) }
            out += withUnsafeBytes(of: (1 / iscale).bitPattern.littleEndian, Array.init)
            out += q.map { UInt8(bitPattern: $0) }
            for g in 0..<16 {
                let sum = q[(16 * g)..<(16 * g + 16)].reduce(0) { $0 + Int($1) }
                out += withUnsafeBytes(of: Int16(sum).littleEndian, Array.init)
            }
        }
        return out
    }
}
