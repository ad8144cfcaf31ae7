// Every dequantizer matches gguf-py's NumPy dequantizers bit for bit, as do Q8_0 quantization and the block sizes (one Python run).
import Testing
@testable import Kernels
import TestSupport

struct GGUFReferenceTests {
    /// Random rows of every format (an odd number of blocks), in `WeightFormat.allCases` order.
    static let rows: [(format: WeightFormat, count: Int, bytes: [UInt8])] = {
        var rng = SplitMix64(seed: 0x6767_7566_2D70_79)
        return WeightFormat.allCases.map { format in
            let count = format.blockSize == 1 ? 1000 : format.blockSize * 37
            return (format, count, TestData.row(format, count: count, &rng))
        }
    }()

    /// Activations for the quantizer: typical values plus an all-zero block, a block with a
    /// single huge value, and values sitting on rounding ties.
    static let floats: [Float] = {
        var rng = SplitMix64(seed: 0x7138_5F30)
        var x = TestData.activations(count: 32 * 61, &rng)
        x += [Float](repeating: 0, count: 32)
        x += [1e30] + [Float](repeating: 1e-3, count: 31)
        x += (0..<32).map { Float($0 - 16) * (1.5 / 127) }
        return x
    }()

    /// The reference results, computed once for all the tests below.
    static let output: Result<GGUFReference.Output, any Error> = Result {
        var jobs = rows.map { GGUFReference.Job(op: "dequantize", format: $0.format, input: $0.bytes) }
        jobs.append(GGUFReference.Job(op: "quantize", format: .q8_0, input: floats.bytes))
        return try GGUFReference.run(jobs)
    }

    @Test(arguments: WeightFormat.allCases)
    func dequantizeMatchesGGUFPy(_ format: WeightFormat) throws {
        let output = try Self.output.get()
        let i = try #require(Self.rows.firstIndex { $0.format == format })
        let row = Self.rows[i]
        let expected = output.results[i].floats
        let actual = format.dequantize(row.bytes, count: row.count)
        try #require(expected.count == row.count, "gguf-py returned \(expected.count) values for \(row.count) weights")
        let mismatches = bitMismatches(actual, expected)
        #expect(mismatches.isEmpty, """
            \(format): \(mismatches.count) of \(row.count) values differ, first at \(mismatches.first ?? -1): \
            \(mismatches.first.map { "\(actual[$0]) vs \(expected[$0])" } ?? "")
            """)
    }

    @Test func quantizeQ8_0MatchesGGUFPy() throws {
        let output = try Self.output.get()
        let expected = try #require(output.results.last)
        let actual = WeightFormat.q8_0.activationBytes(Self.floats)
        #expect(actual == expected)
    }

    @Test(arguments: WeightFormat.allCases.filter { $0 != .q8_1 })
    func blockSizesMatchGGUFPy(_ format: WeightFormat) throws {
        let output = try Self.output.get()
        let size = try #require(output.sizes[format.name.uppercased()])
        #expect(size == [format.blockSize, format.bytesPerBlock])
    }
}
