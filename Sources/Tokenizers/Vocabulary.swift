/// Every token's vocabulary text, kind and the raw bytes it decodes to.
struct Vocabulary: Sendable {
    /// Vocabulary entry text (GGUF `tokenizer.ggml.tokens`) ↔ id.
    let texts: ByteStringTable
    let kinds: [TokenKind]
    /// Decoded bytes, packed: `pieces[pieceOffsets[id]..<pieceOffsets[id + 1]]`.
    private let pieces: [UInt8]
    private let pieceOffsets: [Int]

    var count: Int { kinds.count }

    /// Builds a byte-level vocabulary: normal entries are GPT-2 byte-level text, literal ones
    /// (control, user-defined, …) stand for their own UTF-8.
    init(byteLevel tokens: [String], kinds: [TokenKind]) throws(TokenizerError) {
        try self.init(tokens, kinds: kinds, decodeNormal: Self.appendByteLevelDecoded)
    }

    /// Builds a SentencePiece vocabulary: normal entries are text with U+2581 standing for a
    /// space, `<0xAB>` byte entries stand for one byte, literal ones for their own UTF-8.
    init(sentencePiece tokens: [String], kinds: [TokenKind]) throws(TokenizerError) {
        try self.init(tokens, kinds: kinds, decodeNormal: Self.appendSentencePieceDecoded)
    }

    private init(_ tokens: [String], kinds: [TokenKind],
                 decodeNormal: (ArraySlice<UInt8>, inout [UInt8]) -> Void) throws(TokenizerError) {
        switch ByteStringTable.build(tokens) {
        case .success(let table): texts = table
        case .failure(let duplicate):
            throw .duplicateToken(tokens[duplicate.second], first: duplicate.first, second: duplicate.second)
        }
        self.kinds = kinds
        var pieces: [UInt8] = []
        var offsets: [Int] = [0]
        pieces.reserveCapacity(texts.bytes.count)
        offsets.reserveCapacity(tokens.count + 1)
        for (id, token) in tokens.enumerated() {
            if kinds[id].hasLiteralText {
                pieces.append(contentsOf: token.utf8)
            } else if kinds[id] == .byte, let byte = Self.byteTokenValue(token) {
                pieces.append(byte)
            } else {
                decodeNormal(texts[id], &pieces)
            }
            offsets.append(pieces.count)
        }
        self.pieces = pieces
        self.pieceOffsets = offsets
    }

    func isValid(_ id: Int32) -> Bool { id >= 0 && Int(id) < kinds.count }

    /// Appends the raw bytes of each valid id in `ids`, skipping ids whose kind `skip` rejects.
    func appendPieces(of ids: some Sequence<Int32>, skipping skip: (TokenKind) -> Bool, to bytes: inout [UInt8]) {
        pieces.withUnsafeBufferPointer { pieces in
            pieceOffsets.withUnsafeBufferPointer { offsets in
                for id in ids where isValid(id) && !skip(kinds[Int(id)]) {
                    let start = offsets[Int(id)], end = offsets[Int(id) + 1]
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: pieces[start..<end]))
                }
            }
        }
    }

    func piece(_ id: Int32) -> ArraySlice<UInt8> {
        pieces[pieceOffsets[Int(id)]..<pieceOffsets[Int(id) + 1]]
    }

    /// `<0xAB>` → 0xAB (SentencePiece-style byte tokens).
    static func byteTokenValue(_ text: String) -> UInt8? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 6, text.hasPrefix("<0x"), text.hasSuffix(">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    /// SentencePiece text → raw bytes: U+2581 (E2 96 81) becomes a space, all else is kept.
    private static func appendSentencePieceDecoded(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == 0xE2, index + 2 < text.endIndex, text[index + 1] == 0x96, text[index + 2] == 0x81 {
                out.append(0x20)
                index += 3
            } else {
                out.append(text[index])
                index += 1
            }
        }
    }

    /// Byte-level text (UTF-8) → raw bytes, working on UTF-8 directly: every scalar of the byte
    /// alphabet is one or two UTF-8 bytes. Scalars outside it keep their own UTF-8.
    private static func appendByteLevelDecoded(_ text: ArraySlice<UInt8>, to out: inout [UInt8]) {
        var index = text.startIndex
        while index < text.endIndex {
            let lead = text[index]
            if lead < 0x80 {
                out.append(lead)   // printable ASCII stands for itself (others are not in the alphabet)
                index += 1
                continue
            }
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            let end = min(index + length, text.endIndex)
            if length == 2, end == index + 2 {
                let scalar = UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
                if let scalarValue = Unicode.Scalar(scalar), let byte = ByteLevel.byte(for: scalarValue) {
                    out.append(byte)
                    index = end
                    continue
                }
            }
            out.append(contentsOf: text[index..<end])
            index = end
        }
    }
}
