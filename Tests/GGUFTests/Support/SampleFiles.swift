// Small valid GGUF files shared by the reader, fuzz and file tests.
import GGUF

enum SampleFiles {
    /// Deterministic filler bytes for tensor data.
    static func pattern(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    /// A writer holding a few keys of mixed types and three tensors of different types.
    static func smallWriter(alignment: Int = 32, version: UInt32 = 3) throws -> GGUFWriter {
        var writer = GGUFWriter(alignment: alignment, version: version)
        writer.set("general.architecture", .string("llama"))
        writer.set("llama.block_count", .uint32(2))
        writer.set("llama.rope.freq_base", .float32(10000))
        writer.set("tokenizer.ggml.tokens", .array(.strings(["<s>", "a", "é", "🙂"])))
        writer.set("tokenizer.ggml.scores", .array(.float32s([0, -1, -2.5, -3])))
        writer.set("nested", .array(.arrays([.int32s([1, 2]), .strings(["x"])])))
        try writer.addTensor(name: "a.weight", type: .f32, dimensions: [4, 2], bytes: pattern(32, seed: 1))
        try writer.addTensor(name: "b.weight", type: .q8_0, dimensions: [32, 3], bytes: pattern(3 * 34, seed: 2))
        try writer.addTensor(name: "c.weight", type: .q4_K, dimensions: [256], bytes: pattern(144, seed: 3))
        return writer
    }

    static func small(alignment: Int = 32, version: UInt32 = 3) throws -> [UInt8] {
        try smallWriter(alignment: alignment, version: version).serialized()
    }
}
