// The two checks every format's dot product gets: against the scalar ggml reference, and against
// a float dot product of the dequantized operands.
import Testing
@testable import Kernels
import TestSupport

enum DotChecks {
    /// Block counts that cover the one-block tail path, the eight-block steps and (for the
    /// unpacked formats) the stack-buffer chunk boundaries.
    static let blockCounts = [1, 2, 3, 7, 8, 9, 17, 33, 70]
    static let superBlockCounts = [1, 2, 3, 4, 5, 7, 17]

    static func check(_ format: WeightFormat, blocks: [Int], seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for n in blocks {
            let count = n * format.blockSize
            let w = TestData.row(format, count: count, &rng)
            let x = TestData.activations(count: count, &rng)
            let a = format.activationBytes(x)
            let got = w.withRaw { wp in a.withRaw { ap in Dot.dot(format, wp, ap, count: count) } }
            expectClose(got, Reference.dot(format, w, a, count: count), "\(format), \(n) blocks")

            // Same sum from the dequantized operands. Loose: Q4_1/Q5_1 use s = fp16(d·Σq) for
            // the min term, rounded to 11 bits.
            let wf = format.dequantize(w, count: count)
            let xf = format.activationFormat == .f32 ? x : format.activationFormat.dequantize(a, count: count)
            var float = ReferenceDot()
            for i in 0..<count { float.add(Double(wf[i]) * Double(xf[i])) }
            expectClose(got, float, relative: 1e-3, "\(format) vs dequantized floats, \(n) blocks")
        }
    }
}
