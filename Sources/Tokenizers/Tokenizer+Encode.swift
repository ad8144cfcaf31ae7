extension Tokenizer {
    /// The token ids of `text`.
    ///
    /// - Parameters:
    ///   - addBOS: prepend BOS; nil uses the model's default (`addsBOS`).
    ///   - addEOS: append EOS; nil uses the model's default (`addsEOS`).
    ///   - parseSpecial: match special added tokens such as `<|im_start|>` in the text. When
    ///     false they are encoded as plain text, but non-special added tokens (Qwen's
    ///     `<tool_call>`, `<|fim_prefix|>`; Gemma's whitespace runs and HTML tags) are still
    ///     matched, as in Hugging Face's `split_special_tokens`.
    public func encode(_ text: String, addBOS: Bool? = nil, addEOS: Bool? = nil, parseSpecial: Bool = true) -> [Int32] {
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 2)
        if addBOS ?? addsBOS, let bos = bosToken { ids.append(bos) }
        var text = text
        text.withUTF8 { utf8 in
            var scratch = EncodingScratch()
            switch algorithm {
            case .byteLevel(let model, let preTokenizer):
                specialTokens.split(utf8, parseSpecial: parseSpecial) { segment in
                    switch segment {
                    case .token(let id):
                        ids.append(id)
                    case .text(let range):
                        encodeByteLevel(UnsafeBufferPointer(rebasing: utf8[range]), model, preTokenizer, into: &ids, scratch: &scratch)
                    }
                }
            case .sentencePiece(let model, let addsSpacePrefix):
                encodeSentencePiece(utf8, model, addsSpacePrefix: addsSpacePrefix, parseSpecial: parseSpecial,
                                    into: &ids, scratch: &scratch)
            case .none:
                break
            }
        }
        if addEOS ?? addsEOS, let eos = eosToken { ids.append(eos) }
        return ids
    }

    /// Buffers reused across the spans of one `encode` call.
    struct EncodingScratch {
        var scalars = ScalarBuffer()
        var bpe = BPEModel.Scratch()
        var wordText: [UInt8] = []
        var sentencePiece = SentencePieceModel.Scratch()
    }

    /// Text with no added tokens in it: normalize, pre-tokenize, merge.
    private func encodeByteLevel(_ text: UnsafeBufferPointer<UInt8>, _ model: BPEModel, _ preTokenizer: PreTokenizer,
                                 into ids: inout [Int32], scratch: inout EncodingScratch) {
        if preTokenizer.normalizesToNFC {
            NFC.withNormalized(text) { encodeNormalized($0, model, preTokenizer, into: &ids, scratch: &scratch) }
        } else {
            encodeNormalized(text, model, preTokenizer, into: &ids, scratch: &scratch)
        }
    }

    private func encodeNormalized(_ text: UnsafeBufferPointer<UInt8>, _ model: BPEModel, _ preTokenizer: PreTokenizer,
                                  into ids: inout [Int32], scratch: inout EncodingScratch) {
        scratch.scalars.load(text)
        let offsets = scratch.scalars.offsets
        preTokenizer.split(scratch.scalars) { word in
            let bytes = UnsafeBufferPointer(rebasing: text[offsets[word.lowerBound]..<offsets[word.upperBound]])
            if preTokenizer.ignoresMerges && bytes.count > 1, let id = wholeWordToken(bytes, scratch: &scratch.wordText) {
                ids.append(id)
            } else {
                model.encode(bytes, into: &ids, scratch: &scratch.bpe)
            }
        }
    }

    /// The vocabulary entry spelling `word` in byte-level form, if there is one.
    private func wholeWordToken(_ word: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8]) -> Int32? {
        scratch.removeAll(keepingCapacity: true)
        ByteLevel.encode(word, into: &scratch)
        guard let id = scratch.withUnsafeBufferPointer({ vocabulary.texts.id(of: $0) }),
              vocabulary.kinds[id] == .normal else { return nil }
        return Int32(id)
    }
}
