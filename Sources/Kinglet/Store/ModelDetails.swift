import Foundation
import GGUF
import Tokenizers

/// What `kinglet show` prints about a model: its shape, chat template and stop tokens.
public struct ModelDetails: Sendable {
    public let path: String
    public let fileSize: Int64
    /// `general.name`, if set.
    public let displayName: String?
    /// `general.size_label` ("0.5B"), the publisher's size class, if set.
    public let sizeLabel: String?
    /// `general.architecture`.
    public let architecture: String
    /// Weights counted from the tensor shapes (an untied output matrix counts, so a
    /// "0.5B" Qwen2.5 file with its own `output.weight` holds 630M).
    public let parameterCount: Int
    public let quantization: String
    /// `<arch>.context_length`, `.embedding_length`, `.block_count`, `.attention.head_count`
    /// and `.attention.head_count_kv`, when present as single integers.
    public let contextLength: Int?, embeddingLength: Int?, layerCount: Int?, headCount: Int?, kvHeadCount: Int?
    /// Entries of `tokenizer.ggml.tokens`.
    public let vocabularySize: Int?
    /// `tokenizer.chat_template`; nil for base models.
    public let chatTemplate: String?
    /// The texts of the tokenizer's end-of-generation tokens, sorted by id.
    public let stopTokens: [String]

    /// The sampling defaults Kinglet shares with llama.cpp (`common_params_sampling` in
    /// common/common.h), in the order `kinglet show` prints them.
    public static var defaultParameters: [(name: String, value: String)] {
        let p = SamplingParameters()
        return [("temperature", "\(p.temperature)"), ("top_k", "\(p.topK)"), ("top_p", "\(p.topP)"), ("min_p", "\(p.minP)"),
                ("repeat_penalty", "\(p.repeatPenalty)"), ("repeat_last_n", "\(p.repeatLastN)")]
    }

    /// Reads the header (and tokenizer) of the GGUF file at `path`.
    /// - Throws: `StoreError.unreadableModel` when it is not a GGUF file with an architecture.
    public init(path: String) throws(StoreError) {
        let file: GGUFFile
        do { file = try GGUFFile(contentsOf: path) } catch { throw .unreadableModel(path: path, reason: error.description) }
        let meta = file.metadata
        guard let architecture = (try? meta.optionalString("general.architecture")) ?? nil else {
            throw .unreadableModel(path: path, reason: "it has no general.architecture")
        }
        func integer(_ key: String) -> Int? { (try? meta.optionalInteger("\(architecture).\(key)")) ?? nil }
        self.path = path
        fileSize = Int64(file.fileSize)
        displayName = (try? meta.optionalString("general.name")) ?? nil
        sizeLabel = (try? meta.optionalString("general.size_label")) ?? nil
        self.architecture = architecture
        parameterCount = file.tensors.reduce(0) { $0 + $1.elementCount }
        quantization = Quantization.name(of: file)
        contextLength = integer("context_length")
        embeddingLength = integer("embedding_length")
        layerCount = integer("block_count")
        headCount = integer("attention.head_count")
        kvHeadCount = integer("attention.head_count_kv")
        vocabularySize = ((try? meta.optionalStrings("tokenizer.ggml.tokens")) ?? nil)?.count
        chatTemplate = (try? meta.optionalString("tokenizer.chat_template")) ?? nil
        if let tokenizer = try? Tokenizer(gguf: meta) {
            stopTokens = tokenizer.endOfGenerationTokens.sorted().compactMap { tokenizer.vocabularyEntry($0) }
        } else {
            stopTokens = []
        }
    }

    /// A weight count as Ollama prints it: "494.03M", "1.54B".
    public static func humanCount(_ n: Int) -> String {
        if n >= 1_000_000_000 { return String(format: "%.2fB", Double(n) / 1e9) }
        if n >= 1_000_000 { return String(format: "%.2fM", Double(n) / 1e6) }
        if n >= 1_000 { return String(format: "%.2fK", Double(n) / 1e3) }
        return "\(n)"
    }
}
