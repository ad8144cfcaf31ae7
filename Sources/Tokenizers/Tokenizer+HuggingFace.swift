import Foundation

extension Tokenizer {
    /// The tokenizer in a Hugging Face model directory: `tokenizer.json`, plus
    /// `tokenizer_config.json` when present.
    ///
    /// ```swift
    /// let tokenizer = try Tokenizer(huggingFace: URL(fileURLWithPath: "Qwen2.5-0.5B-Instruct"))
    /// ```
    /// - Throws: `TokenizerError` naming the unreadable file or the unsupported component.
    public convenience init(huggingFace directory: URL) throws(TokenizerError) {
        let (json, config) = try Self.readHuggingFaceDirectory(directory)
        try self.init(tokenizerJSON: json, config: config)
    }

    /// The tokenizer and `tokenizer_config.json` (chat template, special tokens) of a Hugging Face
    /// model directory.
    public static func huggingFace(directory: URL) throws(TokenizerError) -> (tokenizer: Tokenizer, config: HuggingFaceTokenizerConfig) {
        let (json, config) = try readHuggingFaceDirectory(directory)
        return (try Tokenizer(tokenizerJSON: json, config: config), config ?? HuggingFaceTokenizerConfig())
    }

    private static func readHuggingFaceDirectory(_ directory: URL) throws(TokenizerError) -> (Data, HuggingFaceTokenizerConfig?) {
        let jsonURL = directory.appendingPathComponent("tokenizer.json")
        guard let json = FileManager.default.contents(atPath: jsonURL.path) else {
            throw .invalidTokenizerJSON(file: jsonURL.path, reason: "the file cannot be read")
        }
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = try FileManager.default.contents(atPath: configURL.path).map { (data) throws(TokenizerError) in
            try HuggingFaceTokenizerConfig(json: data)
        }
        return (json, config)
    }

    /// The tokenizer described by a Hugging Face `tokenizer.json`.
    ///
    /// Supports `model.type` `BPE` (merges as `"a b"` or `["a", "b"]`) in two forms:
    /// - byte-level, as Qwen2/2.5/3, Qwen3.5, Llama 3 and GPT-2 write it: normalizer NFC or none,
    ///   and a `ByteLevel` pre-tokenizer, alone (GPT-2's regex) or after a `Split` whose regex is
    ///   one of `PreTokenizer.huggingFaceRegexes`;
    /// - converted SentencePiece (Gemma, Llama 2): `<0xAB>` byte tokens, normalizer
    ///   `Replace(" ", "▁")` (after `Prepend("▁")` for Llama 2), no pre-tokenizer.
    ///
    /// Added tokens keep their `special` flag. BOS comes from `config` (`bos_token`,
    /// `add_bos_token`) or else the post-processor's template.
    /// - Throws: `TokenizerError` naming the malformed or unsupported part; nothing falls back
    ///   silently.
    public convenience init(tokenizerJSON: Data, config: HuggingFaceTokenizerConfig? = nil) throws(TokenizerError) {
        let file: HuggingFaceTokenizerFile
        do {
            file = try JSONDecoder().decode(HuggingFaceTokenizerFile.self, from: tokenizerJSON)
        } catch {
            throw .invalidTokenizerJSON(file: "tokenizer.json", reason: String(describing: error))
        }
        let config = config ?? HuggingFaceTokenizerConfig()
        let vocab = try HuggingFaceVocabularyScanner.vocabulary(in: tokenizerJSON) ?? []

        guard file.model.type == "BPE" else {
            throw .unsupportedTokenizerJSON(key: "model.type", value: file.model.type ?? "none (only BPE is supported)")
        }
        if file.preTokenizer == nil, let addsSpacePrefix = Self.sentencePieceSpacePrefix(file.normalizer) {
            try self.init(sentencePiece: file, vocab: vocab, addsSpacePrefix: addsSpacePrefix, config: config)
            return
        }
        let preTokenizer = try PreTokenizer(huggingFace: file.preTokenizer)
        let normalizesToNFC = try Self.normalizesToNFC(file.normalizer)
        guard normalizesToNFC == preTokenizer.normalizesToNFC else {
            throw .unsupportedTokenizerJSON(key: "normalizer",
                                            value: "\(normalizesToNFC ? "NFC" : "none") with the \(preTokenizer) pre-tokenizer")
        }
        guard (file.model.ignoreMerges ?? false) == preTokenizer.ignoresMerges else {
            throw .unsupportedTokenizerJSON(key: "model.ignore_merges",
                                            value: "\(file.model.ignoreMerges ?? false) with the \(preTokenizer) pre-tokenizer")
        }
        // byte_fallback changes nothing here: every byte has its byte-level token (BPEModel checks)

        let (tokens, kinds, added) = try Self.entries(file, vocab: vocab) { _ in .normal }
        let vocabulary = try Vocabulary(byteLevel: tokens, kinds: kinds)
        let model = try BPEModel(merges: (file.model.merges ?? []).map(\.text), vocabulary: vocabulary)
        let ids = try Self.specialIDs(file, config: config, tokens: tokens, vocabulary: vocabulary)
        self.init(vocabulary: vocabulary, algorithm: .byteLevel(model, preTokenizer),
                  specialTokens: SpecialTokenSplitter(added), ids: ids)
    }

    /// BOS, EOS and padding from `config`, else BOS from the post-processor's template.
    static func specialIDs(_ file: HuggingFaceTokenizerFile, config: HuggingFaceTokenizerConfig, tokens: [String],
                           vocabulary: Vocabulary) throws(TokenizerError) -> SpecialIDs {
        func id(_ text: String?, key: String) throws(TokenizerError) -> Int32? {
            guard let text else { return nil }
            guard let id = vocabulary.texts.id(of: text) else {
                throw .invalidTokenizerJSON(file: "tokenizer_config.json", reason: "\(key) '\(text)' is not in the vocabulary")
            }
            return Int32(id)
        }
        let templateBOS = file.postProcessor?.leadingSpecialToken
        var ids = SpecialIDs(
            bos: try id(config.bosToken ?? templateBOS, key: "bos_token"),
            eos: try id(config.eosToken, key: "eos_token"),
            eot: nil,
            padding: try id(config.padToken, key: "pad_token"),
            addsBOS: config.addBOS ?? (templateBOS != nil),
            addsEOS: config.addEOS ?? false,
            endOfGeneration: [])
        if ids.addsBOS && ids.bos == nil { throw .missingSpecialToken(flag: "add_bos_token", idKey: "bos_token") }
        if ids.addsEOS && ids.eos == nil { throw .missingSpecialToken(flag: "add_eos_token", idKey: "eos_token") }
        ids.endOfGeneration = EndOfGeneration.tokens(texts: tokens, declared: [ids.eos].compactMap { $0 }, fim: [nil, nil, nil])
        return ids
    }

    /// Whether the normalizer is NFC (possibly inside a `Sequence`) rather than none.
    private static func normalizesToNFC(_ normalizer: HuggingFaceTokenizerFile.Normalizer?) throws(TokenizerError) -> Bool {
        guard let normalizer else { return false }
        switch normalizer.type {
        case "NFC":
            return true
        case "Sequence":
            var found = false
            for inner in normalizer.normalizers ?? [] where try normalizesToNFC(inner) { found = true }
            return found
        default:
            throw .unsupportedTokenizerJSON(key: "normalizer", value: normalizer.type)
        }
    }

    /// Token texts and kinds by id (vocabulary entries are normal, added tokens control when
    /// special and user-defined otherwise), and the added tokens to match in text.
    /// - Parameter kind: the kind of a vocabulary (not added) entry, by its text.
    static func entries(_ file: HuggingFaceTokenizerFile, vocab: [(text: String, id: Int)],
                        kind: (String) -> TokenKind) throws(TokenizerError) -> ([String], [TokenKind], [AddedToken]) {
        let addedEntries = file.addedTokens ?? []
        let count = max(vocab.map(\.id).max() ?? -1, addedEntries.map(\.id).max() ?? -1) + 1
        guard count < Int(Int32.max) else { throw .vocabularyTooLarge(count) }
        // ids must be dense: more ids than entries means some id has no token
        guard count <= vocab.count + addedEntries.count else {
            throw .invalidTokenizerJSON(file: "tokenizer.json", reason: "token ids run to \(count - 1) but there are only \(vocab.count + addedEntries.count) tokens")
        }
        var tokens = [String?](repeating: nil, count: count)
        var kinds = [TokenKind](repeating: .normal, count: count)
        for (text, id) in vocab {
            guard id >= 0 else { throw .invalidTokenizerJSON(file: "tokenizer.json", reason: "token '\(text)' has id \(id)") }
            tokens[id] = text
            kinds[id] = kind(text)
        }
        var added: [AddedToken] = []
        for entry in addedEntries {
            guard entry.id >= 0 else {
                throw .addedTokenOutOfRange(text: entry.content, id: entry.id, vocabularySize: count)
            }
            if entry.lstrip == true || entry.rstrip == true || entry.singleWord == true {
                throw .unsupportedTokenizerJSON(key: "added_tokens", value: "'\(entry.content)' with lstrip, rstrip or single_word")
            }
            tokens[entry.id] = entry.content
            kinds[entry.id] = entry.special ? .control : .userDefined
            added.append(AddedToken(id: Int32(entry.id), text: entry.content, isSpecial: entry.special))
        }
        var texts: [String] = []
        texts.reserveCapacity(count)
        for (id, text) in tokens.enumerated() {
            guard let text else { throw .invalidTokenizerJSON(file: "tokenizer.json", reason: "no token has id \(id)") }
            texts.append(text)
        }
        return (texts, kinds, added)
    }
}

extension PreTokenizer {
    /// The `Split` regex of each case, as `tokenizer.json` stores it.
    static let huggingFaceRegexes: [(regex: String, preTokenizer: PreTokenizer)] = [
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, .qwen2),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, .llama3),
        (#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#, .qwen35),
        (#"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#, .gpt2),
    ]

    /// The pre-tokenizer a `tokenizer.json` describes: `ByteLevel` with its own (GPT-2) regex, or
    /// `Sequence[Split(regex, Isolated), ByteLevel(use_regex: false)]`; never a prefix space.
    init(huggingFace entry: HuggingFaceTokenizerFile.PreTokenizerEntry?) throws(TokenizerError) {
        func byteLevel(_ entry: HuggingFaceTokenizerFile.PreTokenizerEntry, usesRegex: Bool) -> Bool {
            entry.type == "ByteLevel" && entry.addPrefixSpace == false && (entry.useRegex ?? true) == usesRegex
        }
        guard let entry else { throw .unsupportedTokenizerJSON(key: "pre_tokenizer", value: "null") }
        if byteLevel(entry, usesRegex: true) {
            self = .gpt2
            return
        }
        let steps = entry.type == "Sequence" ? entry.pretokenizers ?? [] : [entry]
        guard steps.count == 2, steps[0].type == "Split", byteLevel(steps[1], usesRegex: false),
              steps[0].behavior == "Isolated", steps[0].invert != true,
              let regex = steps[0].pattern?["Regex"] else {
            let shape = steps.map { step in
                step.type + (step.type == "ByteLevel" ? "(add_prefix_space: \(step.addPrefixSpace.map(String.init) ?? "default"), use_regex: \(step.useRegex.map(String.init) ?? "default"))" : "")
            }
            throw .unsupportedTokenizerJSON(key: "pre_tokenizer", value: "\(entry.type)[\(shape.joined(separator: ", "))]")
        }
        guard let match = Self.huggingFaceRegexes.first(where: { $0.regex == regex }) else {
            throw .unsupportedSplitRegex(regex)
        }
        self = match.preTokenizer
    }
}
