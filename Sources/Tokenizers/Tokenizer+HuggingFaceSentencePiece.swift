extension Tokenizer {
    /// Whether `normalizer` is SentencePiece's: `Replace(" ", "▁")`, optionally after
    /// `Prepend("▁")` (Llama 2). Returns whether it prepends; nil when it is something else.
    static func sentencePieceSpacePrefix(_ normalizer: HuggingFaceTokenizerFile.Normalizer?) -> Bool? {
        guard let steps = normalizer?.flattened else { return nil }
        func replacesSpaces(_ step: HuggingFaceTokenizerFile.Normalizer) -> Bool {
            step.type == "Replace" && step.pattern == ["String": " "] && step.content == "\u{2581}"
        }
        switch steps.count {
        case 1 where replacesSpaces(steps[0]):
            return false
        case 2 where steps[0].type == "Prepend" && steps[0].prepend == "\u{2581}" && replacesSpaces(steps[1]):
            return true
        default:
            return nil
        }
    }

    /// A SentencePiece vocabulary converted to `tokenizer.json` (Gemma, Llama 2): BPE with
    /// `<0xAB>` byte tokens (`byte_fallback`), spaces replaced by U+2581, no pre-tokenizer.
    ///
    /// `SentencePieceModel` merges by piece score. Converted files keep no scores; their merges
    /// list every split of each piece, ordered by the piece's score (transformers'
    /// `SentencePieceExtractor`). So each piece's score is minus the rank of the first merge
    /// that produces it. Pieces no merge produces keep a score only when they are one scalar
    /// (symbols start as scalars), as merging could never reach them in Hugging Face either.
    convenience init(sentencePiece file: HuggingFaceTokenizerFile, vocab: [(text: String, id: Int)], addsSpacePrefix: Bool,
                     config: HuggingFaceTokenizerConfig) throws(TokenizerError) {
        guard file.model.ignoreMerges != true else {
            throw .unsupportedTokenizerJSON(key: "model.ignore_merges", value: "true with a SentencePiece normalizer")
        }
        let unknownText = file.model.unknownToken
        let (tokens, kinds, added) = try Self.entries(file, vocab: vocab) { text in
            if text == unknownText { return .unknown }
            return Vocabulary.byteTokenValue(text) != nil ? .byte : .normal
        }
        let vocabulary = try Vocabulary(sentencePiece: tokens, kinds: kinds)

        var scores = [Float?](repeating: nil, count: tokens.count)
        let merges = file.model.merges ?? []
        for (rank, merge) in merges.enumerated() {
            guard let (left, right) = merge.pair, !left.isEmpty, !right.isEmpty else {
                throw .malformedMerge(merge.text, index: rank)
            }
            for part in [left, right] where vocabulary.texts.id(of: part) == nil {
                throw .unknownMergeToken(part, merge: merge.text, index: rank)
            }
            guard let merged = vocabulary.texts.id(of: left + right) else {
                throw .unknownMergeToken(left + right, merge: merge.text, index: rank)
            }
            if scores[merged] == nil { scores[merged] = -Float(rank) }
        }
        var byteTokens = [Int32?](repeating: nil, count: 256)
        for (id, kind) in kinds.enumerated() {
            switch kind {
            case .normal, .userDefined:
                if scores[id] == nil && tokens[id].unicodeScalars.count == 1 { scores[id] = -Float(merges.count) }
            case .byte:
                if let byte = Vocabulary.byteTokenValue(tokens[id]) { byteTokens[Int(byte)] = Int32(id) }
                scores[id] = nil
            default:
                scores[id] = nil
            }
        }
        let unknown = unknownText.flatMap { vocabulary.texts.id(of: $0) }
        let allBytes: [Int32]?
        if byteTokens.allSatisfy({ $0 == nil }) {
            guard unknown != nil else { throw .unsupportedTokenizerJSON(key: "model", value: "no byte tokens and no unk_token") }
            allBytes = nil
        } else if let missing = byteTokens.firstIndex(of: nil) {
            throw .missingByteToken(UInt8(missing))
        } else {
            allBytes = byteTokens.map { $0! }
        }
        let model = SentencePieceModel(vocabulary: vocabulary, scores: scores, byteTokens: allBytes,
                                       unknownToken: Int32(unknown ?? 0))
        let ids = try Self.specialIDs(file, config: config, tokens: tokens, vocabulary: vocabulary)
        // matched in the normalized text, as Tokenizer(gguf:) does for SentencePiece
        let matched = added.map { AddedToken(id: $0.id, text: SentencePieceModel.normalized($0.text), isSpecial: $0.isSpecial) }
        self.init(vocabulary: vocabulary, algorithm: .sentencePiece(model, addsSpacePrefix: addsSpacePrefix),
                  specialTokens: SpecialTokenSplitter(matched), ids: ids)
    }
}
