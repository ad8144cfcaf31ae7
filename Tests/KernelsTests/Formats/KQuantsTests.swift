// Q2_K…Q6_K and Q8_K: dot products match ggml's scalar formulas across super-block counts, and the Q8_K activation quantizer matches quantize_row_q8_K_ref bit for bit.
import Testing
@testable import Kernels
import TestSupport

struct KQuantsTests {
    @Test(arguments: [WeightFormat.q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K])
    func dotMatchesScalarReference(_ format: WeightFormat) {
        DotChecks.check(format, blocks: DotChecks.superBlockCounts, seed: 0x4B0 + UInt64(format.rawValue))
    }

    @Test func quantizeQ8KMatchesRef() {
        var rng = SplitMix64(seed: 0x8B)
        var x = TestData.activations(count: 256 * 6, &rng)
        x += [Float](repeating: 0, count: 256)                      // d = 0 block
        x += (0..<256).map { Float($0 % 17) - 8.5 }                 // ties on both signs
        x += (0..<256).map { $0 == 77 ? -3 : Float($0 % 5) * 0.5 }  // negative maximum
        x += (0..<256).map { $0 % 2 == 0 ? 2 : -2 }                 // equal magnitudes: first wins
        #expect(WeightFormat.q8_K.activationBytes(x) == Reference.quantizeQ8K(x))
    }

    @Test func malformedActivationsDoNotTrap() {
        var x = [Float](repeating: 1, count: 256)
        x[9] = .nan
        x[10] = -.infinity
        _ = WeightFormat.q8_K.activationBytes(x)
    }
}
