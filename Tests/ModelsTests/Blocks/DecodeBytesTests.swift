// Pins down what one decode step reads (`decodeBytes`), the numerator of `kinglet bench`'s roofline.
import GGUF
import Models
import Testing

@Suite struct DecodeBytesTests {
    func load(_ tiny: TinyModel) throws -> any Architecture {
        try ArchitectureRegistry.load(try GGUFFile(bytes: try tiny.gguf()), options: LoadOptions(threads: 1, maxBatch: 8))
    }

    /// Bytes of the F32 matrices the layers multiply by.
    func layerMatrixBytes(_ tiny: TinyModel) -> Int {
        let names = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"]
        return (0..<tiny.layers).reduce(0) { sum, l in
            sum + names.reduce(0) { $0 + 4 * tiny.tensors["blk.\(l).\($1).weight"]!.count }
        }
    }

    @Test(arguments: [false, true])
    func everyMatrixOnceOneEmbeddingRowAndTheCachedPositions(tied: Bool) throws {
        let tiny = TinyModel(family: .qwen2, seed: 1, tiedEmbeddings: tied)
        let model = try load(tiny)
        let output = 4 * tiny.vocabulary * tiny.embedding
        // A tied output matrix is the embedding: counted once, as the output.
        let embeddingRow = tied ? 0 : 4 * tiny.embedding
        let perPosition = KVCache.bytesPerPosition(layers: tiny.layers, kvDimension: tiny.kvHeads * tiny.headDimension)
        for context in [0, 1, 10, 100] {
            #expect(model.decodeBytes(contextLength: context)
                    == layerMatrixBytes(tiny) + output + embeddingRow + context * perPosition)
        }
    }

    @Test func localLayersReadOnlyTheirWindow() throws {
        let tiny = TinyModel(family: .gemma3, seed: 1)   // 7 layers, layer 5 global, window 4
        let model = try load(tiny)
        let layerPosition = KVCache.bytesPerPosition(layers: 1, kvDimension: tiny.kvHeads * tiny.headDimension)
        let weights = model.decodeBytes(contextLength: 0)
        #expect(model.decodeBytes(contextLength: 3) - weights == 7 * 3 * layerPosition)
        #expect(model.decodeBytes(contextLength: 10) - weights == (6 * 4 + 10) * layerPosition)
    }
}
