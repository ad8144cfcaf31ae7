import Foundation
import GGUF
import Grammar
import Models
import Synchronization
import Templates
import Tokenizers

/// A model loaded from a GGUF file or a Hugging Face checkpoint directory, with its tokenizer:
/// the entry point of the Kinglet API.
///
/// Weights are memory-mapped, not copied. One forward pass runs at a time (it
/// already uses every thread of the pool); calls from several tasks take turns.
///
/// ```swift
/// let model = try LanguageModel("qwen2.5-coder:0.5b")
/// for try await event in model.generate(prompt: model.chatPrompt("Hi!"), parameters: .greedy()) {
///     if case .token(let token) = event { print(token.text, terminator: "") }
/// }
/// ```
public final class LanguageModel: @unchecked Sendable {
    // @unchecked Sendable: `architecture` (weights + scratch, not thread-safe) is
    // only touched inside `withArchitecture`, which holds `lock`; everything else
    // is immutable after init.

    public struct Options: Sendable {
        /// Threads for the forward pass, the caller included.
        public var threads: Int
        /// Positions a sequence can hold; nil means 4096, or less if the model was trained shorter.
        public var contextLength: Int?
        /// Most tokens per forward pass; longer prompts go in chunks.
        public var maxBatch: Int
        /// Refuse to load when the memory plan for one context (weights, KV cache, scratch) exceeds this many bytes.
        public var memoryLimit: Int?
        /// What the key/value cache stores: Float16 (llama.cpp's default) or Float32 (exact, twice the memory).
        public var cacheElement: KVCache.Element

        public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, contextLength: Int? = nil,
                    maxBatch: Int = 512, memoryLimit: Int? = nil, cacheElement: KVCache.Element = .float16) {
            self.threads = threads
            self.contextLength = contextLength
            self.maxBatch = maxBatch
            self.memoryLimit = memoryLimit
            self.cacheElement = cacheElement
        }
    }

    public let path: String
    /// The weights and hyperparameters: the GGUF file, or the checkpoint under GGUF's names.
    public let source: any WeightSource
    /// The model's tokenizer, or for weight-only models (`hasTokenizer` false) a stand-in that
    /// names ids ("[42]") and encodes no text.
    public let tokenizer: Tokenizer
    /// The GGUF `general.architecture`.
    public let architectureName: String
    public let shape: ModelShape
    /// Positions each sequence can hold.
    public let contextLength: Int
    public let options: Options
    /// The model's own chat format; a failure to parse it is kept for when chat is asked for,
    /// so raw completion still works with a template Kinglet cannot read.
    private let chatFormatResult: Result<ChatFormat?, KingletError>
    private let architecture: any Architecture
    private let lock = Mutex<Void>(())
    private let grammarVocabularyCache = Mutex<GrammarVocabulary?>(nil)

    /// Loads a model by store name (`qwen2.5-coder:0.5b`), `.gguf` path, or Hugging Face
    /// checkpoint directory (`config.json`, `*.safetensors`, and `tokenizer.json` for text).
    public init(_ nameOrPath: String, options: Options = Options()) throws(KingletError) {
        let path = ModelStore.path(for: nameOrPath)
        if ModelStore.isUnfetchedStoreName(nameOrPath) { throw .modelNotFetched(name: nameOrPath, path: path) }
        let files = try ModelFiles.open(path)
        do {
            architecture = try ArchitectureRegistry.load(files.source, options: LoadOptions(
                threads: options.threads, maxBatch: options.maxBatch, cacheElement: options.cacheElement))
        } catch { throw .model(error) }
        let tokenizer: Tokenizer
        if let given = files.tokenizer {
            tokenizer = given
        } else {
            do { tokenizer = try .numbered(vocabularySize: architecture.shape.vocabularySize) } catch { throw .tokenizer(error) }
        }
        self.tokenizer = tokenizer
        chatFormatResult = Result { () throws(KingletError) in
            try files.chatTemplate.map { template throws(KingletError) in try ChatFormat(source: template, tokenizer: tokenizer) }
        }
        self.path = path
        self.source = files.source
        self.options = options
        architectureName = architecture.name
        shape = architecture.shape
        // What a cache costs, read off two small ones: bytes per position (keys and values of the
        // attention layers) and bytes per sequence whatever its length (recurrent state). Their
        // lengths differ by whole blocks of positions, the unit a cache allocates keys in.
        let (short, long) = (64, 128)
        let one = architecture.makeCache(sequences: 1, capacity: short)
        let two = architecture.makeCache(sequences: 1, capacity: long)
        cacheBytesPerPosition = (two.byteCount - one.byteCount) / (long - short)
        cacheBytesPerSequence = one.byteCount - short * cacheBytesPerPosition
        isRecurrent = one.recurrent != nil
        contextLength = max(1, options.contextLength ?? min(4096, shape.trainedContextLength))
        if let limit = options.memoryLimit, memoryPlan().totalBytes > limit {
            throw .exceedsMemoryLimit(memoryPlan(), limit: limit)
        }
    }

    /// Whether some layers carry a recurrent state (Qwen3.5) rather than keys and values: such a
    /// cache can only go back to saved checkpoints, which conversations then take at turn boundaries.
    public let isRecurrent: Bool
    let cacheBytesPerPosition: Int
    let cacheBytesPerSequence: Int

    /// Whether the model came with a tokenizer, so that it can read and write text.
    public var hasTokenizer: Bool { tokenizer.encodesText }

    /// Throws `KingletError.noTokenizer` for a weight-only model, which takes token ids only.
    public func requireTokenizer() throws(KingletError) {
        if !hasTokenizer { throw .noTokenizer(path: path) }
    }

    /// The vocabulary as grammar-constrained decoding sees it, built on first use (a trie of every token's bytes).
    public var grammarVocabulary: GrammarVocabulary {
        grammarVocabularyCache.withLock { cache in
            if let cache { return cache }
            let ids = 0..<Int32(tokenizer.vocabularySize)
            // Control, unknown and unused tokens never spell text a grammar could accept;
            // end-of-generation tokens are allowed exactly when the grammar is complete.
            let excluded = ids.filter { id in
                switch tokenizer.kind(of: id) {
                case .normal, .byte, .userDefined: false
                default: !tokenizer.endOfGenerationTokens.contains(id)
                }
            }
            let vocabulary = GrammarVocabulary(tokens: ids.map { tokenizer.bytes(of: $0) }, excluded: Set(excluded),
                                               endOfGeneration: tokenizer.endOfGenerationTokens)
            cache = vocabulary
            return vocabulary
        }
    }

    /// Runs `body` with exclusive use of the forward pass.
    func withArchitecture<R>(_ body: (any Architecture) throws(KingletError) -> R) throws(KingletError) -> R {
        try lock.withLock { _ throws(KingletError) in try body(architecture) }
    }

    /// Bytes one single-token forward pass reads when it attends to `contextLength` positions
    /// (itself included): the weight matrices, one embedding row and the cached keys and values.
    public func decodeBytes(contextLength: Int) -> Int {
        lock.withLock { _ in architecture.decodeBytes(contextLength: contextLength) }
    }

    func makeCache(sequences: Int, capacity: Int) -> KVCache {
        architecture.makeCache(sequences: sequences, capacity: capacity)
    }

    /// The chat format from the model file.
    ///
    /// - Throws: `KingletError.noChatTemplate` when the file has none (a base model), or
    ///   `.template` when its template does not parse.
    public func chatFormat() throws(KingletError) -> ChatFormat {
        switch chatFormatResult {
        case .success(let format?): return format
        case .success(nil): throw .noChatTemplate(path: path)
        case .failure(let error): throw error
        }
    }

    /// Tokens for `messages` rendered by `format` (default: the model's own), ready to generate after.
    public func chatPrompt(messages: [TemplateValue], tools: [TemplateValue]? = nil, format given: ChatFormat? = nil,
                           extra: [String: TemplateValue] = [:], addGenerationPrompt: Bool = true) throws(KingletError) -> [Int32] {
        try requireTokenizer()
        let format: ChatFormat
        if let given { format = given } else { format = try chatFormat() }
        let text = try format.render(messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt, extra: extra)
        // Templates that write the BOS text themselves must not get a second one.
        let writesBOS = !format.bosToken.isEmpty && text.hasPrefix(format.bosToken)
        return tokenizer.encode(text, addBOS: writesBOS ? false : nil, parseSpecial: true)
    }

    /// Tokens for one user message (and an optional system message) in the model's chat format.
    public func chatPrompt(_ user: String, system: String? = nil, format: ChatFormat? = nil) throws(KingletError) -> [Int32] {
        try chatPrompt(messages: ChatFormat.messages(user: user, system: system), format: format)
    }
}
