// Pins down how a GGUF file selects its architecture and how broken model files are reported.
import GGUF
import Models
import Testing

@Suite struct ArchitectureRegistryTests {
    func load(_ bytes: [UInt8]) throws -> any Architecture {
        try ArchitectureRegistry.load(try GGUFFile(bytes: bytes), options: LoadOptions(threads: 1, maxBatch: 4))
    }

    @Test func selectsByGeneralArchitecture() throws {
        for family in [TinyModel.Family.llama, .qwen2, .qwen3] {
            #expect(try load(try TinyModel(family: family).gguf()).name == family.rawValue)
        }
    }

    @Test func unsupportedArchitectureIsNamed() throws {
        let bytes = try TinyModel(family: .llama).gguf(architectureName: "mamba2")
        #expect(throws: ModelError.unsupportedArchitecture("mamba2", supported: ArchitectureRegistry.supportedNames)) {
            try load(bytes)
        }
        let message = ModelError.unsupportedArchitecture("mamba2", supported: ["llama", "qwen2"]).description
        #expect(message.contains("mamba2") && message.contains("qwen2"))
    }

    @Test func missingTensorIsNamed() throws {
        let bytes = try TinyModel(family: .qwen2).gguf(dropping: ["blk.1.ffn_up.weight"])
        #expect(throws: ModelError.missingTensor("blk.1.ffn_up.weight")) { try load(bytes) }
    }

    @Test func wrongShapeIsReported() throws {
        let tiny = TinyModel(family: .qwen2)
        let bytes = try tiny.gguf(reshaping: ["blk.0.attn_k.weight": [tiny.embedding * 2, tiny.kvHeads * tiny.headDimension / 2]])
        #expect(throws: ModelError.tensorShape("blk.0.attn_k.weight", expected: [32, 16], found: [64, 8])) {
            try load(bytes)
        }
    }

    @Test func qwen3RequiresItsHeadNorms() throws {
        let bytes = try TinyModel(family: .qwen3).gguf(dropping: ["blk.0.attn_q_norm.weight"])
        #expect(throws: ModelError.missingTensor("blk.0.attn_q_norm.weight")) { try load(bytes) }
    }

    @Test func missingHyperparameterIsNamed() throws {
        // A llama file declared as qwen2 lacks every qwen2.* key.
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        #expect(throws: ModelError.file(.missingKey("qwen2.embedding_length"))) { try load(writer.serialized()) }
    }
}
