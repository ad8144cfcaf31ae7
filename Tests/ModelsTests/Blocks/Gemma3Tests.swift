// Pins down Gemma 3 on the shared decoder: logits equal a plain reference, local layers really
// use their sliding window, and batching or caching never changes the arithmetic.
import GGUF
import Kernels
@testable import Models
import Testing

@Suite struct Gemma3Tests {
    /// Longer than the tiny model's window of 4, so local layers drop early positions.
    static let tokens = [3, 17, 42, 5, 63, 0, 28, 9, 11, 50]

    func load(_ tiny: TinyModel, threads: Int = 2) throws -> any Architecture {
        let file = try GGUFFile(bytes: try tiny.gguf())
        return try ArchitectureRegistry.load(file, options: LoadOptions(threads: threads, maxBatch: 64))
    }

    func allLogits(_ model: any Architecture, _ tokens: [Int]) throws -> [[Float]] {
        let cache = model.makeCache(sequences: 1, capacity: 64)
        let vocabulary = model.shape.vocabularySize
        var logits = [Float](repeating: .nan, count: tokens.count * vocabulary)
        let batch = Batch(tokens: tokens.map(Int32.init), startingAt: 0, allLogits: true)
        try logits.withUnsafeMutableBufferPointer { try model.forward(batch, cache: cache, logits: $0.baseAddress!) }
        return (0..<tokens.count).map { Array(logits[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
    }

    func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
    }

    @Test func matchesReference() throws {
        let tiny = TinyModel(family: .gemma3, seed: 7, tiedEmbeddings: true)
        let got = try allLogits(try load(tiny), Self.tokens)
        let expected = tiny.referenceLogits(Self.tokens)
        #expect(maxDifference(got, expected) < 2e-3, "max |Δlogit| = \(maxDifference(got, expected))")
    }

    @Test func localLayersAttendOnlyWithinTheWindow() throws {
        let tiny = TinyModel(family: .gemma3, seed: 9, tiedEmbeddings: true)
        let model = try load(tiny)
        #expect((model as? TransformerDecoder)?.localLayers == [true, true, true, true, true, false, true])
        let got = try allLogits(model, Self.tokens)
        let windowed = tiny.referenceLogits(Self.tokens)
        let unwindowed = tiny.referenceLogits(Self.tokens, ignoringWindow: true)
        // Up to the window both agree; past it, only the windowed reference matches.
        let w = tiny.slidingWindow
        #expect(maxDifference(Array(windowed[..<w]), Array(unwindowed[..<w])) < 1e-5)
        #expect(maxDifference(Array(windowed[w...]), Array(unwindowed[w...])) > 0.05)
        #expect(maxDifference(Array(got[w...]), Array(windowed[w...])) < 2e-3)
    }

    @Test(arguments: [1, 2])
    func decodingTokenByTokenEqualsOneBatch(threads: Int) throws {
        let model = try load(TinyModel(family: .gemma3, seed: 11, tiedEmbeddings: true), threads: threads)
        let vocabulary = model.shape.vocabularySize
        let whole = try allLogits(model, Self.tokens)
        let cache = model.makeCache(sequences: 1, capacity: 64)
        var stepwise: [[Float]] = []
        var prefillLogits = [Float](repeating: 0, count: 3 * vocabulary)
        let prefill = Batch(tokens: Self.tokens[0..<3].map(Int32.init), startingAt: 0, allLogits: true)
        try prefillLogits.withUnsafeMutableBufferPointer { try model.forward(prefill, cache: cache, logits: $0.baseAddress!) }
        for i in 0..<3 { stepwise.append(Array(prefillLogits[(i * vocabulary)..<((i + 1) * vocabulary)])) }
        var logits = [Float](repeating: 0, count: vocabulary)
        for i in 3..<Self.tokens.count {
            let step = Batch(tokens: [Int32(Self.tokens[i])], startingAt: i)
            try logits.withUnsafeMutableBufferPointer { try model.forward(step, cache: cache, logits: $0.baseAddress!) }
            stepwise.append(logits)
        }
        #expect(maxDifference(whole, stepwise) == 0, "batching must not change the arithmetic")
    }

    @Test func geluTableMatchesTheFormulaAtFloat16Precision() {
        for x: Float in [-9.99, -3, -1, -0.5, 0, 0.001, 0.5, 1, 2.5, 9.99] {
            var gate = x, up: Float = 1
            Ops.geGLU(&gate, &up, count: 1)
            #expect(gate == Float(Float16(Ops.geluTanh(Float(Float16(x))))), "\(x)")
        }
        var big: Float = 12, small: Float = -12, up: Float = 2
        Ops.geGLU(&big, &up, count: 1)
        Ops.geGLU(&small, &up, count: 1)
        #expect(big == 24 && small == 0)
    }
}
