// Pins StreamingDetokenizer (Qwen and Gemma): its concatenated output equals one-shot decode for random text, random token sequences and byte-by-byte splits.
import Testing
@testable import Tokenizers
import TestSupport

struct StreamingDetokenizerTests {
    private static let fragments: [String] = [
        "a", "Z", " ", "\n", "the", " word", "1", "é", "e\u{301}", "ñ", "中", "文字", "한국어", "日本語", "😀", "👍🏽",
        "👨‍👩‍👧", "🇫🇷", "\u{300}", "\u{20DD}", "क़", "ع", "ß", "ﬁ", "\u{10FFFF}", "\u{0}", "\u{7F}", "\u{85}", "𝔘", "<|im_end|>", "<tool_call>", "\t", "'s",
    ]

    private func stream(_ ids: [Int32], _ tokenizer: Tokenizer, skipSpecial: Bool = false) -> (String, [String]) {
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecial: skipSpecial)
        var chunks = ids.map { detokenizer.append($0) }
        chunks.append(detokenizer.finish())
        return (chunks.joined(), chunks)
    }

    @Test func randomTextMatchesOneShotDecode() throws {
        let tokenizer = try Fixtures.qwen.get()
        var rng = SplitMix64(seed: 42)
        for round in 0..<2000 {
            let text = (0..<Int.random(in: 1...20, using: &rng)).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
            let ids = tokenizer.encode(text, parseSpecial: Bool.random(using: &rng))
            let skip = round % 3 == 0
            let (streamed, chunks) = stream(ids, tokenizer, skipSpecial: skip)
            #expect(Array(streamed.utf8) == Array(tokenizer.decode(ids, skipSpecial: skip).utf8), "\(text.debugDescription)")
            // valid text never needs a replacement character: no chunk ends mid-sequence
            #expect(chunks.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") }, "\(text.debugDescription)")
        }
    }

    @Test func byteByByteSplitsReassembleExactly() throws {
        let tokenizer = try Fixtures.qwen.get()
        let byteToken = (0..<256).map { tokenizer.token(for: String(Unicode.Scalar(ByteLevel.scalarForByte[$0])!))! }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in Self.fragments.randomElement(using: &rng)! }.joined()
            let ids = text.utf8.map { byteToken[Int($0)] }
            var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
            var streamed = ""
            for id in ids {
                let chunk = detokenizer.append(id)
                #expect(!chunk.unicodeScalars.contains("\u{FFFD}"))
                streamed += chunk
            }
            streamed += detokenizer.finish()
            #expect(Array(streamed.utf8) == Array(text.utf8))
        }
    }

    @Test func randomTokenSequencesMatchOneShotDecode() throws {
        let tokenizer = try Fixtures.qwen.get()
        var rng = SplitMix64(seed: 1234)
        for _ in 0..<3000 {
            // random ids over the whole vocabulary, plus many single bytes to cut sequences
            let ids: [Int32] = (0..<Int.random(in: 1...16, using: &rng)).map { _ in
                Bool.random(using: &rng)
                    ? Int32.random(in: 0..<Int32(tokenizer.vocabularySize), using: &rng)
                    : Int32.random(in: 0..<256, using: &rng)
            }
            let (streamed, _) = stream(ids, tokenizer)
            #expect(Array(streamed.utf8) == Array(tokenizer.decode(ids).utf8), "ids \(ids)")
        }
    }

    @Test func incompleteTailIsHeldThenFlushed() throws {
        let tokenizer = try Fixtures.qwen.get()
        let euroBytes = "€".utf8.map { byte in tokenizer.token(for: String(Unicode.Scalar(ByteLevel.scalarForByte[Int(byte)])!))! }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(detokenizer.append(euroBytes[0]) == "")
        #expect(detokenizer.append(euroBytes[1]) == "")
        #expect(detokenizer.finish() == "\u{FFFD}")
        #expect(detokenizer.append(euroBytes[0]) == "")
        #expect(detokenizer.append(euroBytes[1]) == "")
        #expect(detokenizer.append(euroBytes[2]) == "€")
        #expect(detokenizer.finish() == "")
    }

    // MARK: Gemma (SentencePiece, byte fallback at 238 + byte)

    /// Text that falls back to bytes in Gemma's vocabulary, between ordinary pieces.
    private static let gemmaFragments = fragments + ["\u{10FFFF}", "\u{E000}", "\u{1F9FF}\u{1F9FF}", "  ", "\n\n", "<start_of_turn>", "<b>", "\u{2581}"]

    @Test func gemmaRandomTextMatchesOneShotDecode() throws {
        let tokenizer = try Fixtures.gemma.get()
        var rng = SplitMix64(seed: 270)
        for round in 0..<2000 {
            let text = (0..<Int.random(in: 1...20, using: &rng)).map { _ in Self.gemmaFragments.randomElement(using: &rng)! }.joined()
            let ids = tokenizer.encode(text, parseSpecial: Bool.random(using: &rng))
            let skip = round % 3 == 0
            let (streamed, chunks) = stream(ids, tokenizer, skipSpecial: skip)
            #expect(Array(streamed.utf8) == Array(tokenizer.decode(ids, skipSpecial: skip).utf8), "\(text.debugDescription)")
            #expect(chunks.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") }, "\(text.debugDescription)")
        }
    }

    @Test func gemmaByteTokensSplitAcrossAppendsReassemble() throws {
        let tokenizer = try Fixtures.gemma.get()
        var rng = SplitMix64(seed: 238)
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 1...12, using: &rng)).map { _ in Self.gemmaFragments.randomElement(using: &rng)! }.joined()
            // every byte as its <0xAB> token, with ordinary pieces at random cut points
            var ids: [Int32] = []
            for character in text {
                if Bool.random(using: &rng) {
                    ids += tokenizer.encode(String(character), addBOS: false, parseSpecial: false)
                } else {
                    ids += String(character).utf8.map { 238 + Int32($0) }
                }
            }
            let (streamed, chunks) = stream(ids, tokenizer)
            #expect(Array(streamed.utf8) == Array(tokenizer.decode(ids).utf8))
            if !text.unicodeScalars.contains("\u{2581}") {   // a literal "▁" decodes as a space
                #expect(Array(streamed.utf8) == Array(text.utf8))
            }
            #expect(chunks.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") }, "\(text.debugDescription)")
        }
    }

    @Test func gemmaRandomTokenSequencesMatchOneShotDecode() throws {
        let tokenizer = try Fixtures.gemma.get()
        var rng = SplitMix64(seed: 3270)
        for _ in 0..<3000 {
            let ids: [Int32] = (0..<Int.random(in: 1...16, using: &rng)).map { _ in
                Bool.random(using: &rng)
                    ? Int32.random(in: 0..<Int32(tokenizer.vocabularySize), using: &rng)
                    : 238 + Int32.random(in: 0..<256, using: &rng)
            }
            let skip = Bool.random(using: &rng)
            let (streamed, _) = stream(ids, tokenizer, skipSpecial: skip)
            #expect(Array(streamed.utf8) == Array(tokenizer.decode(ids, skipSpecial: skip).utf8), "ids \(ids)")
        }
    }
}
