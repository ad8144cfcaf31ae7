// Pins decode() for Qwen and Gemma: the conformance ids decode back to their text, encode→decode round-trips, and skipSpecial/bytes(of:) behave.
import Testing
import Tokenizers

struct TokenizerDecodeTests {
    /// The recorded ids of every `decoded_ok` case decode back to its text.
    private func checkConformanceDecode(_ name: String, _ tokenizer: Result<Tokenizer, any Error>) throws {
        let tokenizer = try tokenizer.get()
        var failures: [String] = []
        for record in try Fixtures.expected(name) where record.decoded_ok {
            let decoded = tokenizer.decode(record.ids)
            if Array(decoded.utf8) != Array(record.text.utf8) {
                failures.append("\(record.case) special=\(record.special): \(decoded.debugDescription)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// decode(encode(text)) == text for every `decoded_ok` case.
    private func checkRoundTrip(_ name: String, _ tokenizer: Result<Tokenizer, any Error>) throws {
        let tokenizer = try tokenizer.get()
        var failures: [String] = []
        var checked = 0
        for record in try Fixtures.expected(name) where record.decoded_ok {
            let decoded = tokenizer.decode(tokenizer.encode(record.text, parseSpecial: record.special), skipSpecial: false)
            let expected = (tokenizer.addsBOS ? tokenizer.vocabularyEntry(tokenizer.bosToken!)! : "") + record.text
            checked += 1
            if Array(decoded.utf8) != Array(expected.utf8) {
                failures.append("\(record.case) special=\(record.special): \(decoded.debugDescription)")
            }
        }
        #expect(checked > 300)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func conformanceIDsDecodeToText() throws {
        try checkConformanceDecode("qwen2", Fixtures.qwen)
    }

    @Test func roundTrip() throws {
        try checkRoundTrip("qwen2", Fixtures.qwen)
    }

    @Test func gemmaConformanceIDsDecodeToText() throws {
        try checkConformanceDecode("gemma3", Fixtures.gemma)
    }

    @Test func gemmaRoundTrip() throws {
        try checkRoundTrip("gemma3", Fixtures.gemma)
    }

    @Test func gemmaControlTokensRenderUnlessSkipped() throws {
        let tokenizer = try Fixtures.gemma.get()
        let ids = tokenizer.encode("<start_of_turn>user\nHi <b>there</b><end_of_turn>")
        #expect(ids.first == 2 && ids[1] == 105)
        #expect(tokenizer.decode(ids) == "<bos><start_of_turn>user\nHi <b>there</b><end_of_turn>")
        #expect(tokenizer.decode(ids, skipSpecial: true) == "user\nHi <b>there</b>")
        #expect(tokenizer.bytes(of: 238 + 0xC3) == [0xC3])
        #expect(tokenizer.decode([238 + 0xC3, 238 + 0xA9]) == "é")
    }

    @Test func skipSpecialDropsControlTokensOnly() throws {
        let tokenizer = try Fixtures.qwen.get()
        let ids = tokenizer.encode("<|im_start|>user\n<tool_call>hi</tool_call><|im_end|>")
        #expect(tokenizer.decode(ids) == "<|im_start|>user\n<tool_call>hi</tool_call><|im_end|>")
        #expect(tokenizer.decode(ids, skipSpecial: true) == "user\n<tool_call>hi</tool_call>")
    }

    @Test func bytesOfTokens() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(tokenizer.bytes(of: tokenizer.token(for: "Ġworld")!) == Array(" world".utf8))
        #expect(tokenizer.bytes(of: 151645) == Array("<|im_end|>".utf8))
        #expect(tokenizer.bytes(of: -1) == [])
        #expect(tokenizer.bytes(of: Int32(tokenizer.vocabularySize)) == [])
        // "é" is two byte tokens; each alone is half a character
        let halves = [tokenizer.token(for: "Ã")!, tokenizer.token(for: "©")!]
        #expect(halves.map { tokenizer.bytes(of: $0) } == [[0xC3], [0xA9]])
        #expect(tokenizer.decode([halves[0]]) == "\u{FFFD}")
        #expect(tokenizer.decode(halves) == "é")
    }

    @Test func invalidIDsAreIgnored() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(tokenizer.decode([-5, 9707, 1_000_000, 1879]) == "Hello world")
    }
}
