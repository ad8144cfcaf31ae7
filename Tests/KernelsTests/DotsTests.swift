// Pins down Dot.dots and Dot.tile: one or several weight rows against many activation rows give, per
// pair, exactly Dot.dot's result.
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

    @Test(arguments: WeightFormat.allCases.filter { $0 != .q8_1 && $0 != .q8_K })
    func tilesEqualOneAtATime(_ format: WeightFormat) {
        var rng = SplitMix64(seed: 0x711E + UInt64(format.rawValue))
        // Rows and tokens cross the 4×4 register tiles and the K-quants' 16-token groups; 19 blocks cross the
        // eight-block unpack pass.
        let blocks = format.blockSize == 256 ? 3 : 19
        let count = blocks * format.blockSize
        for (rows, tokens) in [(1, 1), (4, 1), (9, 1), (4, 4), (5, 9), (3, 6), (8, 13), (4, 17), (12, 36)] {
            let weightRows = (0..<rows).map { _ in TestData.row(format, count: count, &rng) }
            let activationRows = (0..<tokens).map { _ in format.activationBytes(TestData.activations(count: count, &rng)) }
            expectTileEqualsDots(format, weightRows, activationRows, count: count)
        }
        // One token (decode) over rows shorter than one eight-block step.
        let short = (format.blockSize == 256 ? 1 : 5) * format.blockSize
        let weightRows = (0..<3).map { _ in TestData.row(format, count: short, &rng) }
        expectTileEqualsDots(format, weightRows, [format.activationBytes(TestData.activations(count: short, &rng))],
                             count: short)
    }

    /// The K-quants' largest quants (Q4_K 15, Q5_K 31, Q6_K 63) against the Q8_K extremes −128 and 127: the
    /// AVX-512 tile keeps each run's four-byte sums in Int16 (4·63·128 = 32,256 just fits), and
    /// here every lane is at that edge.
    @Test(arguments: [WeightFormat.q4_K, .q5_K, .q6_K])
    func tilesEqualOneAtATimeAtTheQuantExtremes(_ format: WeightFormat) {
        let count = 512, blockBytes = format.rowBytes(256)
        var row = [UInt8](repeating: 0xFF, count: format.rowBytes(count))
        for b in 0..<2 {
            // Every quant bit set (Q6_K's int8 scales become −1); the fp16 scales small and finite.
            let scaleOffsets = format == .q6_K ? [208] : [0, 2]
            for o in scaleOffsets {
                row[b * blockBytes + o] = 0x1E; row[b * blockBytes + o + 1] = 0x20   // 0x201E ≈ 0.0083
            }
        }
        // Equal magnitudes quantize to −128 and 127 (ggml scales by −128 over the first largest
        // value): all −128, or runs of four alike in either sign.
        let activationRows = (0..<8).map { t in
            format.activationBytes((0..<count).map { i in t % 3 == 0 ? -1 : (i / 4 + t) % 2 == 0 ? -1 : 1 })
        }
        expectTileEqualsDots(format, Array(repeating: row, count: 8), activationRows, count: count)
    }

    /// `Dot.tile` over the rows and tokens against `Dot.dot` on each pair, bit for bit, with two
    /// untouched output slots per token.
    func expectTileEqualsDots(_ format: WeightFormat, _ weightRows: [[UInt8]], _ activationRows: [[UInt8]],
                              count: Int) {
        let rows = weightRows.count, tokens = activationRows.count
        let rowBytes = weightRows[0].count, stride = activationRows[0].count
        let weights = weightRows.flatMap { $0 }, activations = activationRows.flatMap { $0 }
        let outputStride = rows + 2   // two slots per token that must stay untouched
        var got = [Float](repeating: .nan, count: tokens * outputStride)
        weights.withRaw { wp in
            activations.withRaw { ap in
                got.withUnsafeMutableBufferPointer {
                    Dot.tile(format, wp, rowBytes: rowBytes, rows: rows, ap, activationStride: stride,
                             tokens: tokens, count: count, into: $0.baseAddress!, outputStride: outputStride)
                }
            }
        }
        for t in 0..<tokens {
            for r in 0..<rows {
                let one = weightRows[r].withRaw { wp in activationRows[t].withRaw { Dot.dot(format, wp, $0, count: count) } }
                #expect(got[t * outputStride + r].bitPattern == one.bitPattern,
                        "\(format), \(rows)×\(tokens), row \(r), token \(t)")
            }
            #expect(got[t * outputStride + rows].isNaN && got[t * outputStride + rows + 1].isNaN,
                    "wrote outside its output slots")
        }
    }
}
