// Pins down the Llama/Qwen2/Qwen3 forward pass: logits equal a plain reference, and batching or caching never changes them.
import GGUF
import Models
import Testing

@Suite struct TransformerDecoderTests {
    static let tokens = [3, 17, 42, 5, 63, 0, 28, 9, 11, 50]

    func load(_ tiny: TinyModel, threads: Int = 2, maxBatch: Int = 64,
              cache: KVCache.Element = .float16) throws -> any Architecture {
        let file = try GGUFFile(bytes: try tiny.gguf())
        return try ArchitectureRegistry.load(file, options: LoadOptions(threads: threads, maxBatch: maxBatch,
                                                                        cacheElement: cache))
    }

    @Test(arguments: [TinyModel.Family.llama, .qwen2, .qwen3])
    func matchesReference(family: TinyModel.Family) throws {
        let tiny = TinyModel(family: family, seed: 7)
        let got = try allLogits(try load(tiny), Self.tokens)
        let expected = tiny.referenceLogits(Self.tokens)
        // Float32 vs Double sums over ≤ 48 terms, then a Float16 rounding of the same inputs.
        #expect(maxDifference(got, expected) < 2e-3, "max |Δlogit| = \(maxDifference(got, expected))")
    }

    /// A Float32 cache rounds nothing: the logits then match the reference without its Float16
    /// roundings far more closely than the Float16 cache's logits do.
    @Test(arguments: [TinyModel.Family.llama, .qwen2, .qwen3, .gemma3])
    func float32CacheIsExact(family: TinyModel.Family) throws {
        let tiny = TinyModel(family: family, seed: 5, tiedEmbeddings: family == .gemma3)
        let exact = tiny.referenceLogits(Self.tokens, exactCache: true)
        let got = try allLogits(try load(tiny, cache: .float32), Self.tokens)
        let rounded = try allLogits(try load(tiny, cache: .float16), Self.tokens)
        #expect(maxDifference(got, exact) < 1e-4, "max |Δlogit| = \(maxDifference(got, exact))")
        #expect(maxDifference(rounded, exact) > 10 * maxDifference(got, exact))
    }

    @Test func tiedEmbeddingsUseTheTokenEmbedding() throws {
        let tiny = TinyModel(family: .qwen2, seed: 3, tiedEmbeddings: true)
        let got = try allLogits(try load(tiny), Self.tokens)
        #expect(maxDifference(got, tiny.referenceLogits(Self.tokens)) < 2e-3)
    }

    @Test(arguments: [1, 2])
    func decodingTokenByTokenEqualsOneBatch(threads: Int) throws {
        let model = try load(TinyModel(family: .qwen2, seed: 11), threads: threads)
        let whole = try allLogits(model, Self.tokens)
        // A prefill of the first 4, then one token at a time.
        let (stepwise, cache) = try prefillThenDecode(model, Self.tokens, prefill: 4)
        #expect(maxDifference(whole, stepwise) == 0, "batching must not change the arithmetic")
        #expect(cache.lengths == [Self.tokens.count])
    }

    @Test func twoSequencesInOneBatchEqualEachAlone() throws {
        let model = try load(TinyModel(family: .qwen3, seed: 5))
        let a = Array(Self.tokens[0..<6]), b = [8, 8, 1, 2]
        let aloneA = try allLogits(model, a), aloneB = try allLogits(model, b)
        let cache = model.makeCache(sequences: 2, capacity: 64)
        var batch = Batch()
        // Interleaved entries of both sequences.
        for i in 0..<max(a.count, b.count) {
            if i < a.count { batch.add(Int32(a[i]), position: i, sequence: 0, logits: true) }
            if i < b.count { batch.add(Int32(b[i]), position: i, sequence: 1, logits: true) }
        }
        let vocabulary = model.shape.vocabularySize
        var logits = [Float](repeating: 0, count: batch.outputs.count * vocabulary)
        try logits.withUnsafeMutableBufferPointer { try model.forward(batch, cache: cache, logits: $0.baseAddress!) }
        var gotA: [[Float]] = [], gotB: [[Float]] = []
        for (row, entry) in batch.outputs.enumerated() {
            let values = Array(logits[(row * vocabulary)..<((row + 1) * vocabulary)])
            if batch.sequences[entry] == 0 { gotA.append(values) } else { gotB.append(values) }
        }
        #expect(maxDifference(aloneA, gotA) == 0)
        #expect(maxDifference(aloneB, gotB) == 0)
    }

    @Test func rejectsBadBatches() throws {
        let model = try load(TinyModel(family: .llama), maxBatch: 8)
        let cache = model.makeCache(sequences: 1, capacity: 16)
        var logits = [Float](repeating: 0, count: 16 * model.shape.vocabularySize)
        func run(_ batch: Batch) throws {
            try logits.withUnsafeMutableBufferPointer { try model.forward(batch, cache: cache, logits: $0.baseAddress!) }
        }
        #expect(throws: ModelError.tokenOutOfRange(64, vocabularySize: 64)) { try run(Batch(tokens: [64], startingAt: 0)) }
        #expect(throws: ModelError.tokenOutOfRange(-1, vocabularySize: 64)) { try run(Batch(tokens: [-1], startingAt: 0)) }
        #expect(throws: ModelError.contextFull(sequence: 0, position: 16, capacity: 16)) {
            try run(Batch(tokens: [1], startingAt: 16))
        }
        #expect(throws: ModelError.sequenceOutOfRange(1, sequences: 1)) {
            try run(Batch(tokens: [1], startingAt: 0, sequence: 1))
        }
        #expect(throws: ModelError.batchTooLarge(9, limit: 8)) {
            try run(Batch(tokens: [Int32](repeating: 1, count: 9), startingAt: 0))
        }
    }
}
