// Pins down RMSNorm, SwiGLU, softmax, RoPE and attention against direct Double formulas.
import Foundation
@testable import Kernels
import Testing
import TestSupport

@Suite struct ElementwiseTests {
    let x: [Float] = (0..<16).map { Float(sin(Double($0) * 1.3)) * 2 }

    @Test func rmsNormMatchesFormula() {
        let weight: [Float] = (0..<8).map { 0.5 + Float($0) / 8 }
        var y = [Float](repeating: 0, count: 16)
        Ops.rmsNorm(x, weight: weight, &y, count: 8, rows: 2, epsilon: 1e-5)
        for r in 0..<2 {
            let row = x[(r * 8)..<(r * 8 + 8)].map(Double.init)
            let scale = 1 / (row.reduce(0) { $0 + $1 * $1 } / 8 + 1e-5).squareRoot()
            for i in 0..<8 { #expect(abs(Double(y[r * 8 + i]) - row[i] * scale * Double(weight[i])) < 1e-5) }
        }
    }

    @Test func softmaxSumsToOneAndKeepsOrder() {
        var p = x
        Ops.softmax(&p, count: p.count)
        #expect(abs(p.reduce(0, +) - 1) < 1e-6)
        let m = x.map(Double.init).max()!
        let total = x.reduce(0.0) { $0 + exp(Double($1) - m) }
        for i in 0..<x.count { #expect(abs(Double(p[i]) - exp(Double(x[i]) - m) / total) < 1e-7) }
    }

    /// `Lanes.exp` (ggml's vector expf) stays within 2 ulp of the true exponential over the whole
    /// range softmax and SiLU feed it, including the subnormal results and the overflow to +∞.
    @Test func vectorExpIsWithinTwoULPs() {
        var inputs: [Float] = stride(from: -110, through: 90, by: 0.0371).map { Float($0) }
        inputs += [0, -0.0, 1e-30, -1e-30, 88.3, 88.5, -87.5, -103.9, -104.5, -Float.infinity, -200, 200]
        while inputs.count % 16 != 0 { inputs.append(0.5) }
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var x = SIMD16<Float>()
            for k in 0..<16 { x[k] = inputs[start + k] }
            let e = Lanes.exp(x)
            for k in 0..<16 {
                let exact = Foundation.exp(Double(x[k]))
                let got = e[k]
                if exact > Double(Float.greatestFiniteMagnitude) {
                    #expect(got == .infinity, "exp(\(x[k])) = \(got)")
                } else if exact < Double(Float.leastNonzeroMagnitude) / 2 {
                    #expect(got == 0 || got == .leastNonzeroMagnitude, "exp(\(x[k])) = \(got)")
                } else {
                    let ulp = Double(Float(exact).ulp)
                    #expect(abs(Double(got) - exact) <= 2 * ulp, "exp(\(x[k])) = \(got), true \(exact)")
                }
            }
        }
    }

    @Test func swiGLUMatchesFormula() {
        var gate = x
        let up = x.reversed().map { $0 }
        Ops.swiGLU(&gate, up, count: x.count)
        for i in 0..<x.count {
            let g = Double(x[i])
            #expect(abs(Double(gate[i]) - g / (1 + exp(-g)) * Double(up[i])) < 1e-5)
        }
    }

    @Test(arguments: [RoPE.Style.neox, .interleaved])
    func ropeRotatesPairsByPositionalAngles(style: RoPE.Style) {
        let headDimension = 8, position = 37
        var heads = x
        RoPE(style: style, dimensions: headDimension, base: 10_000)
            .apply(&heads, heads: 2, headDimension: headDimension, position: position)
        for h in 0..<2 {
            for i in 0..<(headDimension / 2) {
                let theta = Double(position) * pow(10_000, -2 * Double(i) / Double(headDimension))
                let (a, b) = style == .neox ? (i, i + headDimension / 2) : (2 * i, 2 * i + 1)
                let x0 = Double(x[h * headDimension + a]), x1 = Double(x[h * headDimension + b])
                #expect(abs(Double(heads[h * headDimension + a]) - (x0 * cos(theta) - x1 * sin(theta))) < 1e-4)
                #expect(abs(Double(heads[h * headDimension + b]) - (x0 * sin(theta) + x1 * cos(theta))) < 1e-4)
            }
        }
    }

    @Test func attentionIsASoftmaxWeightedSumOfValues() {
        let d = 4, length = 3, stride = 8   // two KV heads per row; we read the first
        let query: [Float] = [0.5, -1, 0.25, 2]
        let keys: [Float16] = (0..<(length * stride)).map { Float16(sin(Float($0))) }
        let values: [Float16] = (0..<(length * stride)).map { Float16(cos(Float($0))) }
        var scores = [Float](repeating: 0, count: Ops.attentionScratch(heads: 1, length: length, headDimension: d))
        var out = [Float](repeating: 0, count: d)
        Ops.attend(query: query, keys: keys, values: values, rowStride: stride, length: length, headDimension: d,
                   scale: 0.5, scores: &scores, output: &out)
        let s = (0..<length).map { j in (0..<d).reduce(0.0) { $0 + Double(query[$1]) * Double(keys[j * stride + $1]) } * 0.5 }
        let m = s.max()!, total = s.reduce(0.0) { $0 + exp($1 - m) }
        for i in 0..<d {
            let expected = (0..<length).reduce(0.0) { $0 + exp(s[$1] - m) / total * Double(values[$1 * stride + i]) }
            // Float16 rounding of the query and the weights, as in llama.cpp.
            #expect(abs(Double(out[i]) - expected) < 2e-3)
        }
    }

    /// Over a Float cache nothing is rounded: the result is the exact softmax-weighted sum.
    @Test func float32AttentionRoundsNothing() {
        var rng = SplitMix64(seed: 0xF32)
        let d = 40, length = 70, stride = d * 2
        let query = (0..<d).map { _ in rng.float() }
        let keys = (0..<(length * stride)).map { _ in rng.float() }
        let values = (0..<(length * stride)).map { _ in rng.float() }
        var scores = [Float](repeating: 0, count: Ops.attentionScratch(heads: 1, length: length, headDimension: d))
        var out = [Float](repeating: .nan, count: d)
        Ops.attend(query: query, keys: keys, values: values, rowStride: stride, length: length, headDimension: d,
                   scale: 0.3, scores: &scores, output: &out)
        let s = (0..<length).map { j in (0..<d).reduce(0.0) { $0 + Double(query[$1]) * Double(keys[j * stride + $1]) } * 0.3 }
        let m = s.max()!, total = s.reduce(0.0) { $0 + exp($1 - m) }
        for i in 0..<d {
            let expected = (0..<length).reduce(0.0) { $0 + exp(s[$1] - m) / total * Double(values[$1 * stride + i]) }
            #expect(abs(Double(out[i]) - expected) < 1e-6, "dimension \(i)")
        }
    }

    /// Several query heads over one key/value head give each head exactly what it gets alone,
    /// across the chunk boundary and with dimensions that are not a multiple of 16.
    @Test(arguments: [64, 72])
    func groupedHeadsEqualOneHeadAtATime(headDimension d: Int) {
        var rng = SplitMix64(seed: 0xA77E + UInt64(d))
        let heads = 7, length = 150, stride = d * 2
        let queries = (0..<(heads * d)).map { _ in rng.float() }
        let keys = (0..<(length * stride)).map { _ in Float16(rng.float()) }
        let values = (0..<(length * stride)).map { _ in Float16(rng.float()) }
        var scratch = [Float](repeating: 0, count: Ops.attentionScratch(heads: heads, length: length, headDimension: d))
        var together = [Float](repeating: .nan, count: heads * d)
        Ops.attend(query: queries, heads: heads, keys: keys, values: values, rowStride: stride, length: length,
                   headDimension: d, scale: 0.125, scores: &scratch, output: &together)
        for h in 0..<heads {
            var alone = [Float](repeating: .nan, count: d)
            let query = Array(queries[(h * d)..<((h + 1) * d)])
            Ops.attend(query: query, keys: keys, values: values, rowStride: stride, length: length,
                       headDimension: d, scale: 0.125, scores: &scratch, output: &alone)
            #expect(alone.map(\.bitPattern) == together[(h * d)..<((h + 1) * d)].map(\.bitPattern), "head \(h)")
        }
    }
}
