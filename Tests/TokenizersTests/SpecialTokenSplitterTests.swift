// Pins added-token matching: leftmost-longest, exact, and parseSpecial=false keeping non-special tokens (HF split_special_tokens).
import Testing
@testable import Tokenizers

struct SpecialTokenSplitterTests {
    private func segments(_ text: String, _ tokens: [AddedToken], parseSpecial: Bool = true) -> [String] {
        let splitter = SpecialTokenSplitter(tokens)
        var text = text
        return text.withUTF8 { utf8 in
            var out: [String] = []
            splitter.split(utf8, parseSpecial: parseSpecial) { segment in
                switch segment {
                case .text(let range): out.append(String(decoding: utf8[range], as: UTF8.self))
                case .token(let id): out.append("#\(id)")
                }
            }
            return out
        }
    }

    private let tokens = [
        AddedToken(id: 1, text: "<a>", isSpecial: true),
        AddedToken(id: 2, text: "<a><b>", isSpecial: false),
        AddedToken(id: 3, text: "<b>", isSpecial: false),
        AddedToken(id: 4, text: "<|x|>", isSpecial: true),
    ]

    @Test func longestMatchWins() {
        #expect(segments("<a><b>c", tokens) == ["#2", "c"])
        #expect(segments("<a>c<b>", tokens) == ["#1", "c", "#3"])
        #expect(segments("<a", tokens) == ["<a"])
        #expect(segments("", tokens) == [])
    }

    @Test func specialMatchesBecomeTextWhenNotParsed() {
        // the skipped special match is not a split: it joins the text around it
        #expect(segments("x<|x|>y<b>", tokens, parseSpecial: false) == ["x<|x|>y", "#3"])
        // leftmost-longest runs over all tokens first, so "<a>" hides the "<b>"-free prefix
        #expect(segments("<a>c", tokens, parseSpecial: false) == ["<a>c"])
        #expect(segments("<a><b>", tokens, parseSpecial: false) == ["#2"])
    }

    @Test func qwenFIMTokensAreNotSpecial() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(tokenizer.encode("<|fim_prefix|>", parseSpecial: false) == [151659])
        #expect(tokenizer.encode("<tool_call>", parseSpecial: false) == [151657])
        #expect(tokenizer.encode("<|im_start|>", parseSpecial: false) != [151644])
        #expect(tokenizer.encode("<|im_start|>", parseSpecial: true) == [151644])
    }
}
