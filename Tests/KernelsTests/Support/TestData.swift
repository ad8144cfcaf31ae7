// Seeded random data for the kernel tests: blocks with valid scales, activations, float rows.
@testable import Kernels
import TestSupport

/// Byte offsets of each block's float scale fields, stated independently of the kernels' own
/// layout tables (from ggml-common.h): fp16 unless noted.
enum ScaleFields {
    static func fp16Offsets(_ format: WeightFormat) -> [Int] {
        switch format {
        case .q4_0, .q5_0, .q8_0: [0]
        case .q4_1, .q5_1, .q8_1: [0, 2]
        case .q2_K: [80, 82]
        case .q3_K: [108]
        case .q4_K, .q5_K: [0, 2]
        case .q6_K: [208]
        case .f32, .f16, .bf16, .q8_K: []
        }
    }
}

enum TestData {
    /// A random fp16 scale of either sign in [2⁻¹², 2⁻³], as real model scales are.
    static func scale(_ rng: inout SplitMix64) -> UInt16 {
        let magnitude = Float(Double.random(in: 1.0 / 4096...1.0 / 8, using: &rng))
        return Float16(Bool.random(using: &rng) ? magnitude : -magnitude).bitPattern
    }

    /// `count` weights of `format` as random bytes with valid scales: every quant pattern occurs,
    /// but every scale is a finite fp16 (f32 for Q8_K's d) and float formats hold finite values.
    static func row(_ format: WeightFormat, count: Int, _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = (0..<format.rowBytes(count)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        func put<T>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value) { v in
                for i in 0..<v.count { bytes[offset + i] = v[i] }
            }
        }
        switch format {
        case .f32:
            for i in 0..<count { put(Float.random(in: -2...2, using: &rng), at: 4 * i) }
        case .f16:
            for i in 0..<count { put(Float16(Float.random(in: -2...2, using: &rng)).bitPattern, at: 2 * i) }
        case .bf16:
            for i in 0..<count { put(UInt16(Float.random(in: -2...2, using: &rng).bitPattern >> 16), at: 2 * i) }
        case .q8_K:
            for b in 0..<(count / 256) {
                put(Float.random(in: -0.01...0.01, using: &rng), at: b * 292)
                // bsums must match the quants: the K-quant dots rely on them.
                for g in 0..<16 {
                    var sum = 0
                    for l in 0..<16 { sum += Int(Int8(bitPattern: bytes[b * 292 + 4 + 16 * g + l])) }
                    put(Int16(sum), at: b * 292 + 260 + 2 * g)
                }
            }
        default:
            for b in 0..<(count / format.blockSize) {
                for offset in ScaleFields.fp16Offsets(format) {
                    put(scale(&rng), at: b * format.bytesPerBlock + offset)
                }
            }
        }
        return bytes
    }

    /// Floats shaped like transformer activations: mostly small, some large, some exact zeros.
    static func activations(count: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<count).map { i in
            switch UInt8.random(in: 0..<16, using: &rng) {
            case 0: 0
            case 1: Float.random(in: -40...40, using: &rng)
            default: Float.random(in: -1...1, using: &rng) * Float(i % 7 + 1) / 7
            }
        }
    }
}

extension Array where Element == UInt8 {
    func withRaw<R>(_ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes { try body($0.baseAddress!) }
    }
}

extension WeightFormat {
    /// The activation row `Dot.dot` wants for `format`, quantized from `x` by `Quantize.row`
    /// (for float formats: the floats' bytes).
    func activationBytes(_ x: [Float]) -> [UInt8] {
        let af = activationFormat
        var out = [UInt8](repeating: 0, count: af.rowBytes(x.count))
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBytes { Quantize.row(xp.baseAddress!, count: x.count, to: af, $0.baseAddress!) }
        }
        return out
    }

    /// `Dequantize.row` on a byte array.
    func dequantize(_ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withRaw { src in out.withUnsafeMutableBufferPointer { Dequantize.row(self, src, $0.baseAddress!, count: count) } }
        return out
    }
}
