// Pins SentencePiece BPE: highest score merges first (leftmost on ties), byte/unknown fallback, the space prefix, Gemma's traps, and agreement with a naive merge loop.
import GGUF
import Testing
@testable import Tokenizers
import TestSupport

struct SentencePieceModelTests {
    /// `<unk>` 0, `<s>` 1, `</s>` 2, then `pieces` from id 3, then the byte tokens.
    private func tiny(_ pieces: [(String, Float)], types: [Int32]? = nil, bytes: Bool = true,
                      more: [(String, GGUFValue)] = []) throws -> Tokenizer {
        try Tokenizer(gguf: TinyGGUF.sentencePiece(pieces, types: types, bytes: bytes, more: more))
    }

    private func ids(_ tokenizer: Tokenizer, _ texts: String...) -> [Int32] {
        texts.map { tokenizer.token(for: $0)! }
    }

    @Test func highestScoreMergesFirst() throws {
        let letters: [(String, Float)] = [("a", -1), ("b", -1), ("c", -1)]
        // (b,c) scores higher than (a,b), so "abc" is a + bc, then a + bc → abc
        let tokenizer = try tiny(letters + [("ab", -5), ("bc", -2), ("abc", -3)])
        #expect(tokenizer.encode("abc", addBOS: false) == ids(tokenizer, "abc"))
        let noJoin = try tiny(letters + [("ab", -5), ("bc", -2)])
        #expect(noJoin.encode("abc", addBOS: false) == ids(noJoin, "a", "bc"))
        let abFirst = try tiny(letters + [("ab", -1.5), ("bc", -2)])
        #expect(abFirst.encode("abc", addBOS: false) == ids(abFirst, "ab", "c"))
    }

    @Test func equalScoresMergeLeftmostFirst() throws {
        let tokenizer = try tiny([("a", -2), ("aa", -1)])
        #expect(tokenizer.encode("aaa", addBOS: false) == ids(tokenizer, "aa", "a"))
        #expect(tokenizer.encode("aaaaa", addBOS: false) == ids(tokenizer, "aa", "aa", "a"))
    }

    @Test func spacesBecomeMetaSymbol() throws {
        let tokenizer = try tiny([("a", -1), ("\u{2581}", -1), ("\u{2581}a", -0.5)])
        #expect(tokenizer.encode(" a a", addBOS: false) == ids(tokenizer, "\u{2581}a", "\u{2581}a"))
        #expect(tokenizer.decode(tokenizer.encode(" a a", addBOS: false)) == " a a")
        #expect(tokenizer.bytes(of: tokenizer.token(for: "\u{2581}a")!) == Array(" a".utf8))
    }

    @Test func spacePrefixAtStartAndAfterAddedTokens() throws {
        let pieces: [(String, Float)] = [("a", -1), ("\u{2581}", -1), ("\u{2581}a", -0.5), ("<x>", 0)]
        let types: [Int32] = [1, 1, 1, 3]
        let prefixed = try tiny(pieces, types: types, more: [("tokenizer.ggml.add_space_prefix", .bool(true))])
        #expect(prefixed.encode("a<x>a", addBOS: false) == ids(prefixed, "\u{2581}a", "<x>", "\u{2581}a"))
        #expect(prefixed.encode("a", addBOS: true) == [1] + ids(prefixed, "\u{2581}a"))
        let plain = try tiny(pieces, types: types)
        #expect(plain.encode("a<x>a", addBOS: false) == ids(plain, "a", "<x>", "a"))
    }

    @Test func missingCharactersFallBackToBytesOrUnknown() throws {
        let tokenizer = try tiny([("a", -1)])
        let byteBase = Int32(3 + 1)
        #expect(tokenizer.encode("aé", addBOS: false) == [3, byteBase + 0xC3, byteBase + 0xA9])
        #expect(tokenizer.decode(tokenizer.encode("aé", addBOS: false)) == "aé")
        let noBytes = try tiny([("a", -1)], bytes: false)
        #expect(noBytes.encode("aéé", addBOS: false) == [3, 0, 0])   // one <unk> per character
    }

    @Test func mergesNeverProduceControlPieces() throws {
        let tokenizer = try tiny([("<", -1), ("x", -1), (">", -1), ("<x", -1), ("<x>", 0)], types: [1, 1, 1, 1, 3])
        #expect(tokenizer.encode("<x>", addBOS: false) == ids(tokenizer, "<x>"))
        #expect(tokenizer.encode("<x>", addBOS: false, parseSpecial: false) == ids(tokenizer, "<x", ">"))
    }

    @Test func gemmaByteFallbackAndWhitespacePieces() throws {
        let tokenizer = try Fixtures.gemma.get()
        #expect(tokenizer.token(for: "<0x00>") == 238)
        #expect(tokenizer.token(for: "<0xFF>") == 493)
        // U+10FFFF is not in the vocabulary: its four UTF-8 bytes
        #expect(tokenizer.encode("\u{10FFFF}", addBOS: false) == [0xF4, 0x8F, 0xBF, 0xBF].map { 238 + $0 })
        // whitespace runs are stored with ASCII spaces but match "▁" as SentencePiece does
        #expect(tokenizer.encode("  ", addBOS: false) == [138])
        #expect(tokenizer.encode("\u{2581} ", addBOS: false) == [138])
        #expect(tokenizer.decode([138]) == "  ")
        #expect(tokenizer.encode("\n\n\t", addBOS: false) == [108, 255968])
    }

    @Test func agreesWithNaiveMergeLoopOnGemma() throws {
        let tokenizer = try Fixtures.gemma.get()
        guard case .sentencePiece(let model, _) = tokenizer.algorithm else { Issue.record("not SentencePiece"); return }
        var rng = SplitMix64(seed: 0x5E9)
        let fragments = ["a", "b", "e", "the", "ing", "▁", "中", "文", "é", "😀", "ab", "\u{301}", "x", "0", "\u{10FFFF}", "ﬁ", "<", ">"]
        var scratch = SentencePieceModel.Scratch()
        for _ in 0..<300 {
            let text = (0..<Int.random(in: 1...120, using: &rng)).map { _ in fragments.randomElement(using: &rng)! }.joined()
            var fast: [Int32] = []
            Array(text.utf8).withUnsafeBufferPointer { model.encode($0, into: &fast, scratch: &scratch) }
            #expect(fast == Self.naiveEncode(Array(text.utf8), model), "\(text.debugDescription)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func longInputStaysFast() throws {
        let tokenizer = try Fixtures.gemma.get()
        let text = String(repeating: "abcdefghij", count: 100_000) + String(repeating: "ü", count: 100_000)
        let ids = tokenizer.encode(text, addBOS: false)
        #expect(tokenizer.decode(ids) == text)
    }

    /// The definition, quadratic: merge the best-scoring adjacent pair (leftmost on ties) until none is left.
    private static func naiveEncode(_ text: [UInt8], _ model: SentencePieceModel) -> [Int32] {
        func score(_ piece: [UInt8]) -> Float? {
            piece.withUnsafeBufferPointer { model.vocabulary.texts.id(of: $0) }.flatMap { model.scores[$0] }
        }
        var symbols: [[UInt8]] = String(decoding: text, as: UTF8.self).unicodeScalars.map { Array(String($0).utf8) }
        while symbols.count > 1 {
            var best: (index: Int, score: Float)?
            for index in 0..<(symbols.count - 1) {
                if let value = score(symbols[index] + symbols[index + 1]), best == nil || value > best!.score {
                    best = (index, value)
                }
            }
            guard let best else { break }
            symbols[best.index] += symbols.remove(at: best.index + 1)
        }
        return symbols.flatMap { symbol -> [Int32] in
            if score(symbol) != nil, let id = symbol.withUnsafeBufferPointer({ model.vocabulary.texts.id(of: $0) }) {
                return [Int32(id)]
            }
            return symbol.map { model.byteTokens![Int($0)] }
        }
    }
}
