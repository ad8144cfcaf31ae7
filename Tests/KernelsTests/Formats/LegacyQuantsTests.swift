// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and Q8_1: dot products match ggml's scalar formulas, and the Q8_0/Q8_1 activation quantizers match ggml's _ref quantizers (and, in the x86 run-time style, llama.cpp's AVX2 ones) bit for bit.
import Testing
@testable import Kernels
import TestSupport

struct LegacyQuantsTests {
    @Test(arguments: [WeightFormat.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1])
    func dotMatchesScalarReference(_ format: WeightFormat) {
        DotChecks.check(format, blocks: DotChecks.blockCounts, seed: 0x1E6AC + UInt64(format.rawValue))
    }

    /// Typical activations plus the edge blocks: all zeros, one dominant value, exact .5 ties,
    /// a negative maximum.
    static func quantizerInput() -> [Float] {
        var rng = SplitMix64(seed: 0x51)
        var x = TestData.activations(count: 32 * 40, &rng)
        x += [Float](repeating: 0, count: 32)
        x += [1e30] + [Float](repeating: 1e-3, count: 31)
        x += (0..<32).map { Float($0) - 15.5 }
        x += (0..<32).map { -Float($0 * $0) }
        // max 127 makes the scale exactly 1, so x.5 values are exact ties: the reference rounds
        // them away from zero, llama.cpp's x86 quantizer to even.
        x += [127] + (0..<31).map { Float($0) + 0.5 }
        return x
    }

    @Test func quantizeQ8_0MatchesRef() {
        let x = Self.quantizerInput()
        #expect(WeightFormat.q8_0.activationBytes(x) == Reference.quantizeQ8_0(x))
    }

    @Test func quantizeQ8_1MatchesRef() {
        let x = Self.quantizerInput()
        var q8_1 = [UInt8](repeating: 0, count: WeightFormat.q8_1.rowBytes(x.count))
        x.withUnsafeBufferPointer { xp in
            q8_1.withUnsafeMutableBytes { Quantize.row(xp.baseAddress!, count: x.count, to: .q8_1, $0.baseAddress!) }
        }
        #expect(q8_1 == Reference.quantizeQ8_1(x))
    }

    @Test(arguments: [WeightFormat.q8_0, .q8_1])
    func x86RuntimeStyleMatchesLlamaCppsAVX2Quantizer(_ format: WeightFormat) {
        let x = Self.quantizerInput()
        var got = [UInt8](repeating: 0, count: format.rowBytes(x.count))
        x.withUnsafeBufferPointer { xp in
            got.withUnsafeMutableBytes {
                Quantize.row(xp.baseAddress!, count: x.count, to: format, $0.baseAddress!, style: .x86Runtime)
            }
        }
        let expected = format == .q8_0 ? Reference.quantizeQ8_0(x, x86Runtime: true) : Reference.quantizeQ8_1(x, x86Runtime: true)
        #expect(got == expected)
        // The two styles really differ on this input (the .5 ties), so the choice is observable.
        let reference = format == .q8_0 ? Reference.quantizeQ8_0(x) : Reference.quantizeQ8_1(x)
        #expect(got != reference)
    }

    @Test func malformedActivationsDoNotTrap() {
        var x = [Float](repeating: 1, count: 64)
        x[3] = .nan
        x[40] = .infinity
        _ = WeightFormat.q8_0.activationBytes(x)
        _ = WeightFormat.q4_1.activationBytes(x)
    }
}
