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
        let whole = try allLogits(model, Self.tokens)
        let stepwise = try prefillThenDecode(model, Self.tokens, prefill: 3).logits
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
