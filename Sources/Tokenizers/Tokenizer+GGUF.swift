import GGUF

/// GGUF metadata keys of the tokenizer (gguf-py `Keys.Tokenizer`).
enum TokenizerKey {
    static let model = "tokenizer.ggml.model"
    static let pre = "tokenizer.ggml.pre"
    static let tokens = "tokenizer.ggml.tokens"
    static let tokenType = "tokenizer.ggml.token_type"
    static let merges = "tokenizer.ggml.merges"
    static let scores = "tokenizer.ggml.scores"
    static let unknown = "tokenizer.ggml.unknown_token_id"
    static let addSpacePrefix = "tokenizer.ggml.add_space_prefix"
    static let bos = "tokenizer.ggml.bos_token_id"
    static let eos = "tokenizer.ggml.eos_token_id"
    static let eot = "tokenizer.ggml.eot_token_id"
    static let eom = "tokenizer.ggml.eom_token_id"
    static let padding = "tokenizer.ggml.padding_token_id"
    static let fimPad = "tokenizer.ggml.fim_pad_token_id"
    static let fimRep = "tokenizer.ggml.fim_rep_token_id"
    static let fimSep = "tokenizer.ggml.fim_sep_token_id"
    static let addBOS = "tokenizer.ggml.add_bos_token"
    static let addEOS = "tokenizer.ggml.add_eos_token"
}

extension Tokenizer {
    /// The metadata arrays `init(gguf:)` copies into the tokenizer's own tables (vocabulary, token
    /// kinds, merges, scores): once it is built, a caller need not keep them.
    public static let ggufArrayKeys = [TokenizerKey.tokens, TokenizerKey.tokenType, TokenizerKey.merges,
                                       TokenizerKey.scores]

    /// The tokenizer described by a model file's `tokenizer.ggml.*` metadata.
    ///
    /// Supports byte-level BPE (`tokenizer.ggml.model` = `gpt2`) with the pre-tokenizers of
    /// `PreTokenizer.ggufNames` (`qwen2`, `llama-bpe`, `qwen35`, `gpt-2`, …), and SentencePiece
    /// BPE (`llama`: Gemma, Llama 2, Mistral) from `tokenizer.ggml.scores`.
    /// - Throws: `TokenizerError` naming the missing or unsupported piece; nothing falls back
    ///   silently.
    public convenience init(gguf metadata: GGUFMetadata) throws(TokenizerError) {
        try self.init(gguf: metadata, addedTokens: [])
    }

    /// The tokenizer of `metadata` with some vocabulary slots replaced by added tokens.
    ///
    /// Each added token takes over its id's text and becomes matchable in raw text: e.g.
    /// Qwen3's `<think>` (151667, non-special) on a Qwen2.5 vocabulary whose slot holds a
    /// `[PAD151667]` placeholder.
    /// - Throws: `TokenizerError.addedTokenOutOfRange` for an id outside the vocabulary, and
    ///   whatever `init(gguf:)` throws.
    public convenience init(gguf metadata: GGUFMetadata, addedTokens: [AddedToken]) throws(TokenizerError) {
        let modelName = try metadata.requiredTokenizerValue(TokenizerKey.model, GGUFMetadata.optionalString)
        switch modelName {
        case "gpt2":
            let preName = try metadata.requiredTokenizerValue(TokenizerKey.pre, GGUFMetadata.optionalString)
            let preTokenizer = try PreTokenizer(ggufName: preName)
            let entries = try Entries(metadata, addedTokens: addedTokens)
            let vocabulary = try Vocabulary(byteLevel: entries.tokens, kinds: entries.kinds)
            let merges = try metadata.requiredTokenizerValue(TokenizerKey.merges, GGUFMetadata.optionalStrings)
            let model = try BPEModel(merges: merges, vocabulary: vocabulary)
            try self.init(metadata, entries: entries, vocabulary: vocabulary, algorithm: .byteLevel(model, preTokenizer),
                          addsBOSByDefault: preTokenizer.addsBOSByDefault)
        case "llama":
            let entries = try Entries(metadata, addedTokens: addedTokens)
            let vocabulary = try Vocabulary(sentencePiece: entries.tokens, kinds: entries.kinds)
            let model = try SentencePieceModel(gguf: metadata, vocabulary: vocabulary)
            // llama.cpp's default for SentencePiece vocabularies (`add_space_prefix = true`)
            let addsSpacePrefix = try metadata.tokenizerValue(TokenizerKey.addSpacePrefix, GGUFMetadata.optionalBool) ?? true
            try self.init(metadata, entries: entries, vocabulary: vocabulary,
                          algorithm: .sentencePiece(model, addsSpacePrefix: addsSpacePrefix), addsBOSByDefault: true)
        default:
            throw .unsupportedModel(modelName, supported: ["gpt2", "llama"])
        }
    }

    /// Vocabulary texts and kinds from the metadata, with the added tokens applied.
    private struct Entries {
        var tokens: [String]
        var kinds: [TokenKind]
        /// Added tokens' own special flag, by id.
        var specialOverride: [Int32: Bool] = [:]

        init(_ metadata: GGUFMetadata, addedTokens: [AddedToken]) throws(TokenizerError) {
            tokens = try metadata.requiredTokenizerValue(TokenizerKey.tokens, GGUFMetadata.optionalStrings)
            guard tokens.count < Int(Int32.max) else { throw .vocabularyTooLarge(tokens.count) }
            kinds = [TokenKind](repeating: .normal, count: tokens.count)
            if let codes = try metadata.tokenizerValue(TokenizerKey.tokenType, GGUFMetadata.optionalIntegers) {
                guard codes.count == tokens.count else {
                    throw .countMismatch(key: TokenizerKey.tokenType, count: codes.count, expected: tokens.count)
                }
                kinds = codes.map(TokenKind.init(ggufCode:))
            }
            for added in addedTokens {
                guard added.id >= 0 && Int(added.id) < tokens.count else {
                    throw .addedTokenOutOfRange(text: added.text, id: Int(added.id), vocabularySize: tokens.count)
                }
                tokens[Int(added.id)] = added.text
                kinds[Int(added.id)] = added.isSpecial ? .control : .userDefined
                specialOverride[added.id] = added.isSpecial
            }
        }
    }

    /// Finishes loading: the added tokens to match and the special ids.
    private convenience init(_ metadata: GGUFMetadata, entries: Entries, vocabulary: Vocabulary, algorithm: Algorithm,
                             addsBOSByDefault: Bool) throws(TokenizerError) {
        var matched: [AddedToken] = []
        for (index, kind) in entries.kinds.enumerated() {
            switch kind {
            case .control, .userDefined, .unknown: break
            default: continue
            }
            let id = Int32(index)
            let text = entries.tokens[index]
            let isSpecial = entries.specialOverride[id] ?? Self.isSpecialAddedToken(text, kind: kind)
            switch algorithm {
            case .byteLevel, .none:
                matched.append(AddedToken(id: id, text: text, isSpecial: isSpecial))
            case .sentencePiece:
                // matched after normalization; the GGUF converter stored Gemma's whitespace
                // pieces ("▁▁", …) with ASCII spaces, so "▁ " in the text still matches "  "
                matched.append(AddedToken(id: id, text: SentencePieceModel.normalized(text), isSpecial: isSpecial))
            }
        }
        let ids = try Self.specialIDs(metadata, tokens: entries.tokens, addsBOSByDefault: addsBOSByDefault)
        self.init(vocabulary: vocabulary, algorithm: algorithm, specialTokens: SpecialTokenSplitter(matched), ids: ids)
    }

    /// Whether an added token from GGUF is "special" in Hugging Face's sense (skipped by
    /// `parseSpecial: false`).
    ///
    /// GGUF does not store HF's flag. The converter (`convert_hf_to_gguf.py`, `get_vocab_base`)
    /// writes CONTROL for tokens HF flags special *or* that look special (`<|…|>`), and
    /// USER_DEFINED for the rest. So USER_DEFINED tokens are non-special, and so are the FIM
    /// tokens (`<|fim_prefix|>` … `<|file_sep|>`): non-special in HF, CONTROL only by their
    /// look. FIM tokens are recognized by llama.cpp's names for them.
    static func isSpecialAddedToken(_ text: String, kind: TokenKind) -> Bool {
        switch kind {
        case .control, .unknown: return !EndOfGeneration.fimTexts.contains(text)
        default: return false
        }
    }

    private static func specialIDs(_ metadata: GGUFMetadata, tokens: [String], addsBOSByDefault: Bool) throws(TokenizerError) -> SpecialIDs {
        func id(_ key: String, lenient: Bool = false) throws(TokenizerError) -> Int32? {
            guard let value = try metadata.tokenizerValue(key, GGUFMetadata.optionalInteger) else { return nil }
            guard value >= 0 && value < tokens.count else {
                if lenient { return nil }   // llama.cpp disables an out-of-range id with a warning
                throw .tokenIDOutOfRange(key: key, id: value, vocabularySize: tokens.count)
            }
            return Int32(value)
        }
        func flag(_ key: String) throws(TokenizerError) -> Bool? {
            try metadata.tokenizerValue(key, GGUFMetadata.optionalBool)
        }
        var ids = SpecialIDs(
            bos: try id(TokenizerKey.bos), eos: try id(TokenizerKey.eos), eot: try id(TokenizerKey.eot),
            padding: try id(TokenizerKey.padding, lenient: true),
            addsBOS: try flag(TokenizerKey.addBOS) ?? addsBOSByDefault,
            addsEOS: try flag(TokenizerKey.addEOS) ?? false,
            endOfGeneration: [])
        if ids.addsBOS && ids.bos == nil { throw .missingSpecialToken(flag: TokenizerKey.addBOS, idKey: TokenizerKey.bos) }
        if ids.addsEOS && ids.eos == nil { throw .missingSpecialToken(flag: TokenizerKey.addEOS, idKey: TokenizerKey.eos) }
        ids.endOfGeneration = EndOfGeneration.tokens(
            texts: tokens,
            declared: [ids.eos, ids.eot, try id(TokenizerKey.eom, lenient: true)].compactMap { $0 },
            fim: [try id(TokenizerKey.fimPad, lenient: true), try id(TokenizerKey.fimRep, lenient: true),
                  try id(TokenizerKey.fimSep, lenient: true)])
        return ids
    }
}
