// Pins down RMSNorm, SwiGLU, softmax and RoPE against direct Double formulas.
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

    /// Many groups of 16 and a tail of 13, and rounded to Float16 for attention.
    @Test(arguments: [false, true])
    func longSoftmaxMatchesFormula(roundingToHalf: Bool) {
        var rng = SplitMix64(seed: 0x50F7)
        let values = (0..<1037).map { _ in rng.float() * 12 }
        var p = values
        Ops.softmax(&p, count: p.count, roundingToHalf: roundingToHalf)
        let m = values.map(Double.init).max()!
        let total = values.reduce(0.0) { $0 + exp(Double($1) - m) }
        for i in 0..<values.count {
            let expected = exp(Double(values[i]) - m) / total
            if roundingToHalf { #expect(Float(Float16(p[i])) == p[i], "value \(i) is not a Float16") }
            #expect(abs(Double(p[i]) - expected) <= (roundingToHalf ? 1e-3 * expected + 1e-7 : 1e-5 * expected), "value \(i)")
        }
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
}
