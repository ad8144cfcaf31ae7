// Pins down Dot.dots: one weight row against many activation rows gives, per row, exactly Dot.dot's result.
import Testing
@testable import Kernels
import TestSupport

struct DotsTests {
    @Test(arguments: WeightFormat.allCases.filter { $0 != .q8_1 && $0 != .q8_K })
    func manyTokensEqualOneAtATime(_ format: WeightFormat) {
        var rng = SplitMix64(seed: 0xD075 + UInt64(format.rawValue))
        // 9 or 5 blocks cross the eight-block step; 40 blocks cross the unpack chunk boundary.
        for blocks in format.blockSize == 256 ? [1, 5, 9] : [1, 9, 40] {
            let count = blocks * format.blockSize, tokens = 7
            let w = TestData.row(format, count: count, &rng)
            let rows = (0..<tokens).map { _ in format.activationBytes(TestData.activations(count: count, &rng)) }
            let stride = rows[0].count
            let packed = rows.flatMap { $0 }
            var got = [Float](repeating: .nan, count: tokens * 3)   // output stride 3: only every third slot written
            w.withRaw { wp in
                packed.withRaw { ap in
                    got.withUnsafeMutableBufferPointer {
                        Dot.dots(format, wp, ap, activationStride: stride, tokens: tokens, count: count,
                                 into: $0.baseAddress!, outputStride: 3)
                    }
                }
            }
            for t in 0..<tokens {
                let one = w.withRaw { wp in rows[t].withRaw { Dot.dot(format, wp, $0, count: count) } }
                #expect(got[t * 3].bitPattern == one.bitPattern, "\(format), \(blocks) blocks, token \(t)")
                #expect(got[t * 3 + 1].isNaN && got[t * 3 + 2].isNaN, "wrote outside its output slots")
            }
        }
    }
}
