// Pins down the gated DeltaNet kernels against direct Double formulas: the delta rule token by
// token, its chunked form (equal to the token loop across chunk boundaries and strong decays),
// the causal convolution with its carried window, the L2 norm and SiLU.
import Foundation
@testable import Kernels
import Testing
import TestSupport

@Suite struct DeltaNetTests {
    /// Random inputs of one value head for `tokens` tokens, laid out with strides as a model has them.
    struct Head {
        var dk: Int, dv: Int, tokens: Int
        var q: [Float], k: [Float], v: [Float], g: [Float], beta: [Float]

        init(dk: Int, dv: Int, tokens: Int, decay: ClosedRange<Float>, seed: UInt64) {
            self.dk = dk
            self.dv = dv
            self.tokens = tokens
            var random = SplitMix64(seed: seed)
            func normalized() -> [Float] {
                let x = (0..<dk).map { _ in random.float() }
                let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return x.map { $0 / norm }
            }
            q = (0..<tokens).flatMap { _ in normalized().map { $0 / Float(dk).squareRoot() } }
            k = (0..<tokens).flatMap { _ in normalized() }
            v = (0..<(tokens * dv)).map { _ in random.float(2) }
            g = (0..<tokens).map { _ in decay.lowerBound + (random.float() + 1) / 2 * (decay.upperBound - decay.lowerBound) }
            beta = (0..<tokens).map { _ in (random.float() + 1) / 2 }
        }

        /// Outputs `[tokens][dv]` and the final state, in Double, straight from the recurrence.
        func reference(_ initial: [Float]) -> (output: [Double], state: [Double]) {
            var s = initial.map(Double.init), output: [Double] = []
            for t in 0..<tokens {
                let decay = exp(Double(g[t]))
                for i in s.indices { s[i] *= decay }
                for j in 0..<dv {
                    var memory = 0.0
                    for i in 0..<dk { memory += s[i * dv + j] * Double(k[t * dk + i]) }
                    let delta = Double(beta[t]) * (Double(v[t * dv + j]) - memory)
                    for i in 0..<dk { s[i * dv + j] += Double(k[t * dk + i]) * delta }
                }
                for j in 0..<dv {
                    var o = 0.0
                    for i in 0..<dk { o += s[i * dv + j] * Double(q[t * dk + i]) }
                    output.append(o)
                }
            }
            return (output, s)
        }

        /// Runs a kernel over the head; returns its outputs and the final state.
        func run(_ initial: [Float], _ kernel: (Ops.DeltaRuleHead, UnsafeMutablePointer<Float>) -> Void) -> ([Float], [Float]) {
            var state = initial, output = [Float](repeating: .nan, count: tokens * dv)
            q.withUnsafeBufferPointer { q in k.withUnsafeBufferPointer { k in v.withUnsafeBufferPointer { v in
                g.withUnsafeBufferPointer { g in beta.withUnsafeBufferPointer { beta in
                    output.withUnsafeMutableBufferPointer { o in
                        let head = Ops.DeltaRuleHead(
                            queries: q.baseAddress!, keys: k.baseAddress!, keyStride: dk,
                            values: v.baseAddress!, valueStride: dv, output: o.baseAddress!, outputStride: dv,
                            logDecays: g.baseAddress!, betas: beta.baseAddress!, gateStride: 1, tokens: tokens)
                        state.withUnsafeMutableBufferPointer { kernel(head, $0.baseAddress!) }
                    }
                } }
            } } }
            return (output, state)
        }
    }

    func initialState(_ dk: Int, _ dv: Int, seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        return (0..<(dk * dv)).map { _ in random.float(0.5) }
    }

    func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max()!
    }

    @Test(arguments: [(16, 16), (24, 40), (7, 5)])
    func tokenLoopMatchesTheRecurrence(dk: Int, dv: Int) {
        let head = Head(dk: dk, dv: dv, tokens: 9, decay: -2...0, seed: UInt64(dk * 100 + dv))
        let initial = initialState(dk, dv, seed: 5)
        let (output, state) = head.run(initial) { Ops.gatedDeltaRule($0, state: $1, keyDimension: dk, valueDimension: dv) }
        let expected = head.reference(initial)
        #expect(maxDifference(output, expected.output) < 1e-5)
        #expect(maxDifference(state, expected.state) < 1e-5)
    }

    /// Across chunk boundaries (150 tokens = 64 + 64 + 22) and decays from none to e^-30 per token.
    @Test(arguments: [(32, 32, Float(-0.05)...0), (24, 40, -3...0), (16, 16, -30 ... -5)])
    func chunkedFormEqualsTheTokenLoop(dk: Int, dv: Int, decay: ClosedRange<Float>) {
        let head = Head(dk: dk, dv: dv, tokens: 150, decay: decay, seed: UInt64(dk + dv))
        let initial = initialState(dk, dv, seed: 9)
        let loop = head.run(initial) { Ops.gatedDeltaRule($0, state: $1, keyDimension: dk, valueDimension: dv) }
        var scratch = [Float](repeating: .nan, count: Ops.deltaRuleChunkScratch(keyDimension: dk, valueDimension: dv))
        let chunked = head.run(initial) { head, state in
            Ops.gatedDeltaRuleChunked(head, state: state, keyDimension: dk, valueDimension: dv, scratch: &scratch)
        }
        let expected = head.reference(initial)
        let scale = expected.output.map(abs).max()!
        #expect(maxDifference(chunked.0, expected.output) / scale < 1e-5)
        #expect(maxDifference(chunked.1, expected.state) < 1e-4)
        #expect(maxDifference(chunked.0, loop.0.map(Double.init)) / scale < 1e-5)
    }

    @Test(arguments: [1, 2, 4])
    func convolutionCarriesItsWindow(kernel: Int) {
        let channels = 19, tokens = 6
        var random = SplitMix64(seed: UInt64(kernel))
        let weights = (0..<(channels * kernel)).map { _ in random.float() }
        let inputs = (0..<(tokens * channels)).map { _ in random.float() }
        var window = [Float](repeating: 0, count: (kernel - 1) * channels)
        var outputs = inputs
        for t in 0..<tokens {
            outputs.withUnsafeMutableBufferPointer { x in
                Ops.causalConvolution(x.baseAddress! + t * channels, window: &window, weights: weights,
                                      channels: channels, kernel: kernel)
            }
        }
        for t in 0..<tokens {
            for c in 0..<channels {
                // Weight j meets the input kernel − 1 − j tokens back; before the first token, zeros.
                var expected = 0.0
                for j in 0..<kernel where t - (kernel - 1 - j) >= 0 {
                    expected += Double(weights[c * kernel + j]) * Double(inputs[(t - (kernel - 1 - j)) * channels + c])
                }
                #expect(abs(Double(outputs[t * channels + c]) - expected) < 1e-5)
            }
        }
        // The window holds the latest raw inputs, oldest first.
        for j in 0..<(kernel - 1) {
            let t = tokens - (kernel - 1) + j
            #expect(Array(window[(j * channels)..<((j + 1) * channels)]) == Array(inputs[(t * channels)..<((t + 1) * channels)]))
        }
    }

    @Test func l2NormalizeAndSiLUMatchTheirFormulas() {
        let x: [Float] = (0..<40).map { Float(sin(Double($0) * 0.7)) * 3 }
        var y = x
        Ops.l2Normalize(&y, count: 20, rows: 2, epsilon: 1e-6)
        for r in 0..<2 {
            let row = x[(r * 20)..<(r * 20 + 20)].map(Double.init)
            let norm = (row.reduce(0) { $0 + $1 * $1 } + 1e-6).squareRoot()
            for i in 0..<20 { #expect(abs(Double(y[r * 20 + i]) - row[i] / norm) < 1e-6) }
        }
        var s = x
        Ops.silu(&s, count: s.count)
        for i in x.indices { #expect(abs(Double(s[i]) - Double(x[i]) / (1 + exp(-Double(x[i])))) < 1e-5) }
    }
}
