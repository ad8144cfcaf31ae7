extension BPEModel {
    /// Merge rules from GGUF `tokenizer.ggml.merges` ("left right", rank = index).
    init(merges: [String], vocabulary: Vocabulary) throws(TokenizerError) {
        var byteTokens = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 {
            var text: [UInt8] = []
            [UInt8(byte)].withUnsafeBufferPointer { ByteLevel.encode($0, into: &text) }
            guard let id = text.withUnsafeBufferPointer({ vocabulary.texts.id(of: $0) }) else {
                throw .missingByteToken(UInt8(byte))
            }
            byteTokens[byte] = Int32(id)
        }
        guard merges.count < Int(Int32.max) else { throw .vocabularyTooLarge(merges.count) }
        var table = MergeTable(capacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            var merge = merge
            let rule = merge.withUTF8 { Self.parse($0, vocabulary.texts) }
            switch rule {
            case .success(let (left, right, merged)):
                table.insert(left: left, right: right, rank: Int32(rank), merged: merged)
            case .failure(.malformed):
                throw .malformedMerge(merge, index: rank)
            case .failure(.unknown(let token)):
                throw .unknownMergeToken(token, merge: merge, index: rank)
            }
        }
        self.init(merges: table, byteTokens: byteTokens)
    }

    private enum MergeProblem: Error {
        case malformed
        case unknown(String)
    }

    /// "left right" → (left id, right id, id of left+right). The separator is the first space
    /// after the first byte, as in llama.cpp (`word.find(' ', 1)`).
    private static func parse(_ text: UnsafeBufferPointer<UInt8>, _ table: ByteStringTable) -> Result<(Int32, Int32, Int32), MergeProblem> {
        guard text.count >= 3, let space = text[1...].firstIndex(of: 0x20), space + 1 < text.count else {
            return .failure(.malformed)
        }
        let left = UnsafeBufferPointer(rebasing: text[..<space])
        let right = UnsafeBufferPointer(rebasing: text[(space + 1)...])
        guard let leftID = table.id(of: left) else { return .failure(.unknown(String(decoding: left, as: UTF8.self))) }
        guard let rightID = table.id(of: right) else { return .failure(.unknown(String(decoding: right, as: UTF8.self))) }
        guard let mergedID = table.id(of: left, right) else {
            return .failure(.unknown(String(decoding: left, as: UTF8.self) + String(decoding: right, as: UTF8.self)))
        }
        return .success((Int32(leftID), Int32(rightID), Int32(mergedID)))
    }
}
