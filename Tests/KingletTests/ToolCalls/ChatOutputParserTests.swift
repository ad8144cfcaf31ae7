// Pins down how a chat model's output is split into content, reasoning and tool calls: expected splits
// written from the formats' specifications, the same result however the output is cut into stream pieces
// (every Unicode scalar boundary), no partial tag ever in the content, and malformed calls left as written.
import Kinglet
import Templates
import TestSupport
import Testing

@Suite struct ChatOutputParserTests {
    static let weather = ToolFunction(name: "get_weather", parameters: [
        "type": "object",
        "properties": ["city": ["type": "string"], "days": ["type": "integer"], "metric": ["type": "boolean"]],
        "required": ["city"],
    ])

    /// The parser with Qwen2.5's (Hermes) calls, optionally Qwen3's reasoning.
    static func hermes(reasoning: Bool = false, open: Bool = false, callsOnly: Bool = false, parallel: Bool = true) -> ChatOutputParser {
        ChatOutputParser(toolCalls: HermesToolCalls(), tools: [weather], reasoning: reasoning ? .think : nil,
                         reasoningOpen: open, callsOnly: callsOnly, parallel: parallel)
    }

    static func call(_ name: String, _ arguments: String) -> ToolCall { ToolCall(name: name, arguments: arguments) }

    /// `output` streamed in `pieces`, the deltas joined.
    static func streamed(_ pieces: [String], _ parser: ChatOutputParser) -> (output: ChatOutput, deltas: [ChatOutputParser.Delta]) {
        var parser = parser
        var output = ChatOutput()
        var deltas: [ChatOutputParser.Delta] = []
        for piece in pieces {
            let released = parser.append(piece)
            deltas += released
            output.add(released)
        }
        let rest = parser.finish()
        output.add(rest)
        return (output, deltas + rest)
    }

    /// `text` cut at the given Unicode scalar offsets.
    static func pieces(_ text: String, cuts: [Int]) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var out: [String] = [], start = 0
        for cut in cuts.sorted() + [scalars.count] where cut >= start {
            var piece = ""
            piece.unicodeScalars.append(contentsOf: scalars[start..<cut])
            out.append(piece)
            start = cut
        }
        return out
    }

    /// Every way of cutting `text` once, scalar by scalar, one scalar per piece, and random many-piece cuttings
    /// all give the result of parsing it whole. (So where the whole content holds no `<`, as when every call
    /// is well-formed, no streamed piece of content held part of a tag either.)
    static func expectSplitInvariant(_ text: String, _ parser: ChatOutputParser, sourceLocation: SourceLocation = #_sourceLocation) {
        let whole = ChatOutput(parsing: text, with: parser)
        let count = text.unicodeScalars.count
        var cuttings: [[Int]] = (0...count).map { [$0] }
        cuttings.append(Array(0...count))
        var rng = SplitMix64(seed: UInt64(count))
        for _ in 0..<20 { cuttings.append((0..<5).map { _ in Int(rng.next() % UInt64(count + 1)) }) }
        for cuts in cuttings {
            let (output, deltas) = streamed(pieces(text, cuts: cuts), parser)
            #expect(output == whole, "cut at \(cuts)", sourceLocation: sourceLocation)
            #expect(!deltas.contains { $0 == .content("") || $0 == .reasoning("") }, sourceLocation: sourceLocation)
        }
    }

    @Test func contentBeforeACallAndTheCallWithUnicodeArguments() {
        let text = "Let me look that up.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"東京 🌸\", \"days\": 3}}\n</tool_call>"
        let output = ChatOutput(parsing: text, with: Self.hermes())
        #expect(output.content == "Let me look that up.")
        #expect(output.toolCalls == [Self.call("get_weather", #"{"city": "東京 🌸", "days": 3}"#)])
        #expect(output.reasoning.isEmpty)
        Self.expectSplitInvariant(text, Self.hermes())
    }

    @Test func parallelCallsAndTheWhitespaceAroundThemDropped() {
        let text = """
            <tool_call>
            {"name": "get_weather", "arguments": {"city": "Paris"}}
            </tool_call>
            <tool_call>
            {"name": "get_time", "arguments": {}}
            </tool_call>

            """
        let output = ChatOutput(parsing: text, with: Self.hermes())
        #expect(output.content == "")
        #expect(output.toolCalls == [Self.call("get_weather", #"{"city": "Paris"}"#), Self.call("get_time", "{}")])
        Self.expectSplitInvariant(text, Self.hermes())
        // parallel_tool_calls: false keeps the first.
        #expect(ChatOutput(parsing: text, with: Self.hermes(parallel: false)).toolCalls.map(\.name) == ["get_weather"])
    }

    @Test func plainAnswersAreTheOutputExactly() {
        for text in ["  Hello,\n world!  \n", "a < b and c <= d", "ends with <", "ends with <tool_", "x\n\n", "", "你好🪶"] {
            #expect(ChatOutput(parsing: text, with: Self.hermes()).content == text)
            Self.expectSplitInvariant(text, Self.hermes())
        }
    }

    @Test func malformedCallsStayContentAsWritten() {
        let texts = [
            "Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>\nDone.",   // bad JSON
            "<tool_call>\n{\"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>",                              // no name
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"Oslo\"}\n</tool_call>",                // arguments not an object
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"",                    // cut off
            "<tool_call></tool_call>",
            "<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1e999}}\n</tool_call>",                    // not finite
        ]
        for text in texts {
            let output = ChatOutput(parsing: text, with: Self.hermes())
            #expect(output.toolCalls.isEmpty, "\(text)")
            #expect(output.content == text)
            Self.expectSplitInvariant(text, Self.hermes())
            // Forced calls (`required`): what is not a call is dropped, never content.
            #expect(ChatOutput(parsing: text, with: Self.hermes(callsOnly: true)).content == (text.hasPrefix("Sure.") ? "Sure.Done." : ""))
        }
    }

    @Test func aCallWithoutItsClosingTagAtTheEndIsStillACall() {
        let text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lima\"}}\n"
        #expect(ChatOutput(parsing: text, with: Self.hermes()).toolCalls == [Self.call("get_weather", #"{"city": "Lima"}"#)])
        Self.expectSplitInvariant(text, Self.hermes())
    }

    @Test func aBareCallAsTheWholeAnswerIsACall() {
        // What Qwen2.5-Coder-0.5B writes for a weather question: the call's JSON alone, tagless.
        let answers = [
            #"{"name": "get_weather", "arguments": {"city": "Paris", "days": 1}}"#,
            "```json\n{\n  \"name\": \"get_weather\",\n  \"arguments\": {\n    \"city\": \"Paris\",\n    \"days\": 1\n  }\n}\n```",
            "\n {\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"days\":1}} \n",
        ]
        for text in answers {
            let output = ChatOutput(parsing: text, with: Self.hermes())
            #expect(output.toolCalls == [Self.call("get_weather", #"{"city": "Paris", "days": 1}"#)] && output.content == "", "\(text)")
            Self.expectSplitInvariant(text, Self.hermes())
        }
        // Not calls: an undeclared function, text after the object, another shape, code, text before it.
        let others = [#"{"name": "get_wind", "arguments": {}}"#, #"{"name": "get_weather", "arguments": {"city": "Oslo"}} is the call."#,
                      #"{"city": "Paris"}"#, "```python\nprint({\"name\": 1})\n```", #"Sure: {"name": "get_weather", "arguments": {}}"#, "`x`"]
        for text in others {
            #expect(ChatOutput(parsing: text, with: Self.hermes()) == { var o = ChatOutput(); o.content = text; return o }(), "\(text)")
            Self.expectSplitInvariant(text, Self.hermes())
        }
        // Only a whole answer: after reasoning still, after content or a tagged call not.
        let reasoned = "<think>\nweather\n</think>\n\n" + answers[0]
        #expect(ChatOutput(parsing: reasoned, with: Self.hermes(reasoning: true)).toolCalls.count == 1)
        let tagged = "<tool_call>\n" + answers[0] + "\n</tool_call>\n" + answers[0]
        #expect(ChatOutput(parsing: tagged, with: Self.hermes()).toolCalls.count == 1)
    }

    @Test func reasoningAtTheStartIsKeptApart() {
        let text = "<think>\nThe user wants weather.\nUse the tool.\n</think>\n\nChecking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>"
        let output = ChatOutput(parsing: text, with: Self.hermes(reasoning: true))
        #expect(output.reasoning == "The user wants weather.\nUse the tool.")
        #expect(output.content == "Checking.")
        #expect(output.toolCalls == [Self.call("get_weather", #"{"city": "Rome"}"#)])
        Self.expectSplitInvariant(text, Self.hermes(reasoning: true))
    }

    @Test func reasoningOpenedByThePrompt() {
        // Qwen3.5's generation prompt ends in "<think>\n": the output starts inside the block.
        let text = "Short plan 🧭.\n</think>\n\nThe answer is 4."
        let output = ChatOutput(parsing: text, with: Self.hermes(reasoning: true, open: true))
        #expect(output.reasoning == "Short plan 🧭.")
        #expect(output.content == "The answer is 4.")
        Self.expectSplitInvariant(text, Self.hermes(reasoning: true, open: true))
        // Cut off while thinking: all of it is reasoning.
        let unfinished = ChatOutput(parsing: "Still thinking </thi", with: Self.hermes(reasoning: true, open: true))
        #expect(unfinished.reasoning == "Still thinking </thi" && unfinished.content.isEmpty)
    }

    @Test func thinkTagsLaterInTheAnswerAreText() {
        let text = "Use <think> tags like <think>this</think>."
        let output = ChatOutput(parsing: text, with: Self.hermes(reasoning: true))
        #expect(output.content == text && output.reasoning.isEmpty)
        Self.expectSplitInvariant(text, Self.hermes(reasoning: true))
        // Empty thinking (Qwen3 with enable_thinking false writes it in the prompt; a model may still write it).
        #expect(ChatOutput(parsing: "<think>\n\n</think>\n\nHi", with: Self.hermes(reasoning: true)) == {
            var expected = ChatOutput(); expected.content = "Hi"; return expected
        }())
    }

    @Test func withoutAFormatCallsAreContent() {
        // tool_choice none: nothing is parsed.
        let text = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>"
        let parser = ChatOutputParser(toolCalls: nil, reasoning: .think)
        #expect(ChatOutput(parsing: text, with: parser).content == text)
    }

    @Test func qwenXMLCallsAreTypedByTheirParameters() {
        let text = """
            I will check.

            <tool_call>
            <function=get_weather>
            <parameter=city>
            New York
            </parameter>
            <parameter=days>
            3
            </parameter>
            <parameter=metric>
            True
            </parameter>
            <parameter=note>
            two
            lines: "quoted" ✓
            </parameter>
            </function>
            </tool_call>
            """
        let parser = ChatOutputParser(toolCalls: QwenXMLToolCalls(), tools: [Self.weather])
        let output = ChatOutput(parsing: text, with: parser)
        #expect(output.content == "I will check.")
        #expect(output.toolCalls == [Self.call("get_weather", #"{"city": "New York", "days": 3, "metric": true, "note": "two\nlines: \"quoted\" ✓"}"#)])
        Self.expectSplitInvariant(text, parser)
    }

    @Test func qwenXMLForgottenClosingParameterTags() {
        // As vLLM's parser: a value also ends at the next parameter or at the end of the function.
        let text = "<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n<parameter=days>\n2\n</function>\n</tool_call>"
        let parser = ChatOutputParser(toolCalls: QwenXMLToolCalls(), tools: [Self.weather])
        #expect(ChatOutput(parsing: text, with: parser).toolCalls == [Self.call("get_weather", #"{"city": "Oslo", "days": 2}"#)])
        for malformed in ["<tool_call>\n<function=get_weather>\n<parameter=city>\nOslo\n</parameter>\n</tool_call>",
                          "<tool_call>\nget_weather(city=Oslo)\n</tool_call>", "<tool_call>\n<function=>\n</function>\n</tool_call>"] {
            #expect(ChatOutput(parsing: malformed, with: parser).content == malformed)
        }
    }

    /// Random mixes of tags, JSON pieces, whitespace and multi-byte text: never a crash, the same result in
    /// any pieces, and without a call found the content is exactly the output.
    @Test func fuzzedOutputs() {
        let fragments = ["<tool_call>", "</tool_call>", "<tool_", "<think>", "</think>", "\n", " ", "{", "}", "\"name\": ",
                         "\"get_weather\"", ", \"arguments\": ", "{\"city\": \"Kyiv\"}", "<", "/", "🌸", "東京", "text", "\"", ":",
                         "<function=get_weather>", "<parameter=city>", "</parameter>", "</function>", "```json",
                         #"{"name": "get_weather", "arguments": {}}"#]
        var rng = SplitMix64(seed: 7)
        for round in 0..<300 {
            let text = (0..<Int(rng.next() % 14)).map { _ in fragments[Int(rng.next() % UInt64(fragments.count))] }.joined()
            let parsers = [Self.hermes(), Self.hermes(reasoning: true), Self.hermes(reasoning: true, open: true), Self.hermes(callsOnly: true),
                           ChatOutputParser(toolCalls: QwenXMLToolCalls(), tools: [Self.weather], reasoning: .think)]
            let parser = parsers[round % parsers.count]
            let whole = ChatOutput(parsing: text, with: parser)
            if round % parsers.count == 0 && whole.toolCalls.isEmpty { #expect(whole.content == text) }
            let cuts = (0..<4).map { _ in Int(rng.next() % UInt64(text.unicodeScalars.count + 1)) }
            #expect(Self.streamed(Self.pieces(text, cuts: cuts), parser).output == whole, "\(text.debugDescription) cut at \(cuts)")
        }
    }
}
