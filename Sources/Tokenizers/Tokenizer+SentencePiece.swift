extension Tokenizer {
    /// SentencePiece encoding of `text` (raw UTF-8): spaces become U+2581, added tokens are cut
    /// out of the normalized text, and each span between them is merged by score.
    ///
    /// Matching added tokens after normalization is what `sentencepiece` does with user-defined
    /// pieces (its prefix matcher runs on normalized text): Gemma's "▁▁" piece matches "▁ " as
    /// well as two spaces. Control tokens hold no spaces, so for them it is the same as matching
    /// the raw text. Spans never merge across an added token (`sentencepiece` freezes them).
    func encodeSentencePiece(_ text: UnsafeBufferPointer<UInt8>, _ model: SentencePieceModel, addsSpacePrefix: Bool,
                             parseSpecial: Bool, into ids: inout [Int32], scratch: inout EncodingScratch) {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.count + text.count / 4)
        SentencePieceModel.appendNormalized(text, to: &normalized)
        normalized.withUnsafeBufferPointer { normalized in
            // llama.cpp (`llama_vocab::impl::tokenize`, SPM): a span at the start or right after an
            // added token gets the space prefix
            var afterToken = true
            specialTokens.split(normalized, parseSpecial: parseSpecial) { segment in
                switch segment {
                case .token(let id):
                    ids.append(id)
                    afterToken = true
                case .text(let range):
                    let span = UnsafeBufferPointer(rebasing: normalized[range])
                    if addsSpacePrefix && afterToken {
                        scratch.wordText.removeAll(keepingCapacity: true)
                        scratch.wordText.append(contentsOf: [0xE2, 0x96, 0x81])
                        scratch.wordText.append(contentsOf: span)
                        let prefixed = scratch.wordText   // a copy: `scratch` is borrowed mutably below
                        prefixed.withUnsafeBufferPointer { model.encode($0, into: &ids, scratch: &scratch.sentencePiece) }
                    } else {
                        model.encode(span, into: &ids, scratch: &scratch.sentencePiece)
                    }
                    afterToken = false
                }
            }
        }
    }
}
