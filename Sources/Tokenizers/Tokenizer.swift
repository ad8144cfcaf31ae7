/// Text ↔ token ids for a model, built from its GGUF metadata.
///
/// The pipeline follows Hugging Face `tokenizers`: added tokens are cut out of the raw text
/// (`SpecialTokenSplitter`), each remaining span is normalized (`NFC`), split into words
/// (`PreTokenizer`) and each word's bytes are merged into tokens (`BPEModel`). SentencePiece
/// vocabularies (Gemma, Llama 2) instead replace spaces with U+2581 first and merge each span
/// by piece score (`SentencePieceModel`). Decoding maps every id to the raw bytes it stands for
/// and reads them as UTF-8.
///
/// ```swift
/// let tokenizer = try Tokenizer(gguf: GGUFFile(contentsOf: path).metadata)
/// let ids = tokenizer.encode("<|im_start|>user\nhi<|im_end|>")
/// let text = tokenizer.decode(ids)
/// ```
///
/// Immutable after loading, so one instance can be shared across tasks.
public final class Tokenizer: Sendable {
    let vocabulary: Vocabulary
    let algorithm: Algorithm
    /// Matches added tokens: in the raw text for byte-level BPE, in the normalized text (spaces
    /// as U+2581) for SentencePiece.
    let specialTokens: SpecialTokenSplitter

    /// How text without added tokens becomes ids, chosen by `tokenizer.ggml.model`.
    enum Algorithm: Sendable {
        /// `gpt2`: a regex pre-tokenizer, then byte-level BPE by merge rank.
        case byteLevel(BPEModel, PreTokenizer)
        /// `llama`: SentencePiece BPE by piece score. With `addsSpacePrefix`
        /// (`tokenizer.ggml.add_space_prefix`) each span at the start or after an added token gets
        /// a leading U+2581, as llama.cpp does.
        case sentencePiece(SentencePieceModel, addsSpacePrefix: Bool)
        /// No tokenizer came with the weights (`Tokenizer.numbered`): text encodes to nothing.
        case none
    }

    /// Beginning of sequence (`tokenizer.ggml.bos_token_id`), when the file names one.
    public let bosToken: Int32?
    /// End of sequence (`tokenizer.ggml.eos_token_id`), when the file names one.
    public let eosToken: Int32?
    /// End of turn (`tokenizer.ggml.eot_token_id`), when the file names one.
    public let eotToken: Int32?
    /// `tokenizer.ggml.padding_token_id`, when the file names one inside the vocabulary.
    public let paddingToken: Int32?
    /// Whether `encode` prepends BOS by default (`tokenizer.ggml.add_bos_token`; when absent,
    /// llama.cpp's default: true for SentencePiece and Llama 3, false for other byte-level BPE).
    public let addsBOS: Bool
    /// Whether `encode` appends EOS by default (`tokenizer.ggml.add_eos_token`, default false).
    public let addsEOS: Bool
    /// Tokens that end generation, chosen as llama.cpp does: eos, eot, eom, the FIM
    /// pad/repo/separator tokens, and every token whose text is one of llama.cpp's
    /// end-of-generation strings (`<|im_end|>`, `<|endoftext|>`, `<|eot_id|>`, `</s>`, …),
    /// whatever its type. See `EndOfGeneration.swift`.
    public let endOfGenerationTokens: Set<Int32>

    struct SpecialIDs {
        var bos: Int32?
        var eos: Int32?
        var eot: Int32?
        var padding: Int32?
        var addsBOS: Bool
        var addsEOS: Bool
        var endOfGeneration: Set<Int32>
    }

    init(vocabulary: Vocabulary, algorithm: Algorithm, specialTokens: SpecialTokenSplitter, ids: SpecialIDs) {
        self.vocabulary = vocabulary
        self.algorithm = algorithm
        self.specialTokens = specialTokens
        bosToken = ids.bos
        eosToken = ids.eos
        eotToken = ids.eot
        paddingToken = ids.padding
        addsBOS = ids.addsBOS
        addsEOS = ids.addsEOS
        endOfGenerationTokens = ids.endOfGeneration
    }

    /// The number of ids, including control and unused entries.
    public var vocabularySize: Int { vocabulary.count }

    /// The raw bytes token `id` stands for: byte-level decoded for ordinary tokens (U+2581 read
    /// as a space in SentencePiece vocabularies, `<0xAB>` as one byte), the literal UTF-8 text
    /// for control and user-defined ones. Empty for an id outside the vocabulary.
    public func bytes(of id: Int32) -> [UInt8] {
        guard vocabulary.isValid(id) else { return [] }
        return Array(vocabulary.piece(id))
    }

    /// The id whose vocabulary entry is exactly `text`, in the vocabulary's own spelling
    /// (byte-level for ordinary tokens, e.g. `"Ġthe"`, or `"▁the"` in SentencePiece; literal for
    /// `"<|im_end|>"`).
    public func token(for text: String) -> Int32? {
        vocabulary.texts.id(of: text).map { Int32($0) }
    }

    /// The vocabulary entry of `id`, as stored in the model file (nil outside the vocabulary).
    public func vocabularyEntry(_ id: Int32) -> String? {
        guard vocabulary.isValid(id) else { return nil }
        return String(decoding: vocabulary.texts[Int(id)], as: UTF8.self)
    }

    /// The GGUF token type of `id` (nil outside the vocabulary).
    public func kind(of id: Int32) -> TokenKind? {
        vocabulary.isValid(id) ? vocabulary.kinds[Int(id)] : nil
    }

    /// Whether `id` is a control token (GGUF token type 3), such as `<|im_end|>`.
    public func isControl(_ id: Int32) -> Bool {
        kind(of: id) == .control
    }

    /// This tokenizer with `ids` (say, `generation_config.json`'s `eos_token_id`) also ending generation.
    public func addingEndOfGeneration(_ ids: some Sequence<Int32>) -> Tokenizer {
        let extra = ids.filter { vocabulary.isValid($0) }
        return Tokenizer(vocabulary: vocabulary, algorithm: algorithm, specialTokens: specialTokens, ids: SpecialIDs(
            bos: bosToken, eos: eosToken, eot: eotToken, padding: paddingToken, addsBOS: addsBOS, addsEOS: addsEOS,
            endOfGeneration: endOfGenerationTokens.union(extra)))
    }

    /// A stand-in for models that come without a tokenizer (a GGUF whose `tokenizer.ggml.model` is
    /// absent or "none", a checkpoint without `tokenizer.json`), enough to run them on token ids:
    /// id `n` reads as "[n]", and text encodes to no tokens at all.
    public static func numbered(vocabularySize: Int) throws(TokenizerError) -> Tokenizer {
        let texts = (0..<vocabularySize).map { "[\($0)]" }
        let vocabulary = try Vocabulary(byteLevel: texts, kinds: Array(repeating: .unused, count: vocabularySize))
        return Tokenizer(vocabulary: vocabulary, algorithm: .none, specialTokens: SpecialTokenSplitter([]), ids: SpecialIDs(
            bos: nil, eos: nil, eot: nil, padding: nil, addsBOS: false, addsEOS: false, endOfGeneration: []))
    }

    /// Whether this is a real tokenizer rather than `numbered`'s stand-in.
    public var encodesText: Bool {
        if case .none = algorithm { return false }
        return true
    }
}
