extension Tokenizer {
    /// The text of `ids`: their bytes concatenated and read as UTF-8.
    ///
    /// Invalid UTF-8 (a token sequence cut mid-character) becomes U+FFFD, one per maximal
    /// invalid subsequence; nothing else is lost. Ids outside the vocabulary are ignored.
    /// - Parameter skipSpecial: drop control, unknown and unused tokens (`<|im_end|>`, …);
    ///   user-defined tokens such as `<tool_call>` are kept.
    public func decode(_ ids: [Int32], skipSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        appendBytes(of: ids, skipSpecial: skipSpecial, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func appendBytes(of ids: some Sequence<Int32>, skipSpecial: Bool, to bytes: inout [UInt8]) {
        if skipSpecial {
            vocabulary.appendPieces(of: ids, skipping: \.isSkippedAsSpecial, to: &bytes)
        } else {
            vocabulary.appendPieces(of: ids, skipping: { _ in false }, to: &bytes)
        }
    }
}
