import GGUF

extension SentencePieceModel {
    /// Piece scores from GGUF `tokenizer.ggml.scores`; byte tokens `<0x00>`…`<0xFF>` found by
    /// type and text (Gemma 3: ids 238…493).
    ///
    /// Merging may produce normal and user-defined pieces only: `sentencepiece` keeps control,
    /// unknown and byte pieces out of its piece table (`model_interface.cc`, `InitializePieces`).
    /// Unused pieces are not produced either (`sentencepiece` merges into them and splits them
    /// back; no supported vocabulary has any).
    /// - Throws: `countMismatch` when scores and tokens differ in length, `missingByteToken` when
    ///   only some bytes have a byte token, `missingKey` for the unknown token id when there are
    ///   no byte tokens to fall back on.
    init(gguf metadata: GGUFMetadata, vocabulary: Vocabulary) throws(TokenizerError) {
        let scores = try metadata.requiredTokenizerValue(TokenizerKey.scores, GGUFMetadata.optionalFloats)
        guard scores.count == vocabulary.count else {
            throw .countMismatch(key: TokenizerKey.scores, count: scores.count, expected: vocabulary.count)
        }
        var mergeable = [Float?](repeating: nil, count: scores.count)
        var byteTokens = [Int32?](repeating: nil, count: 256)
        for (id, kind) in vocabulary.kinds.enumerated() {
            switch kind {
            case .normal, .undefined, .userDefined:
                mergeable[id] = scores[id]
            case .byte:
                let text = String(decoding: vocabulary.texts[id], as: UTF8.self)
                if let byte = Vocabulary.byteTokenValue(text) { byteTokens[Int(byte)] = Int32(id) }
            case .control, .unknown, .unused:
                break
            }
        }
        let unknown = try metadata.tokenizerValue(TokenizerKey.unknown, GGUFMetadata.optionalInteger)
        if let unknown, !(0..<vocabulary.count).contains(unknown) {
            throw .tokenIDOutOfRange(key: TokenizerKey.unknown, id: unknown, vocabularySize: vocabulary.count)
        }
        let allBytes: [Int32]?
        if byteTokens.allSatisfy({ $0 == nil }) {
            guard unknown != nil else { throw .missingKey(TokenizerKey.unknown) }
            allBytes = nil
        } else if let missing = byteTokens.firstIndex(of: nil) {
            throw .missingByteToken(UInt8(missing))
        } else {
            allBytes = byteTokens.map { $0! }
        }
        self.init(vocabulary: vocabulary, scores: mergeable, byteTokens: allBytes, unknownToken: Int32(unknown ?? 0))
    }

    /// `text` as SentencePiece sees it: every space replaced by U+2581, nothing else changed
    /// (Gemma's normalizer; llama.cpp `llama_escape_whitespace`).
    static func normalized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == " " ? "\u{2581}" : $0 }))
    }

    /// Appends `text` with every space (0x20) replaced by U+2581 (E2 96 81).
    static func appendNormalized(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        for byte in text {
            if byte == 0x20 {
                out.append(0xE2)
                out.append(0x96)
                out.append(0x81)
            } else {
                out.append(byte)
            }
        }
    }
}
