// Pins down the tool-call formats against the real chat templates: the format each template is detected
// as, and that the calls Hugging Face's `apply_chat_template` renders into an assistant turn (the text the
// model was trained to write) are parsed back to the same calls and accepted by the forcing grammar.
import Foundation
import Kinglet
import Templates
import TestSupport
import Testing

@Suite struct ToolCallFormatTests {
    static func template(_ name: String) throws -> ChatFormat {
        let url = TestEnvironment.conformance.appendingPathComponent("templates/\(name).jinja")
        return try ChatFormat(source: String(contentsOf: url, encoding: .utf8), tokenizer: nil)
    }

    @Test(arguments: [
        ("Qwen-Qwen2.5-7B-Instruct", "HermesToolCalls", false),
        ("Qwen-Qwen3-0.6B", "HermesToolCalls", true),
        ("NousResearch-Hermes-3-Llama-3.1-8B-tool_use", "HermesToolCalls", false),
        ("Qwen3-Coder", "QwenXMLToolCalls", false),
        ("Qwen3.5-4B", "QwenXMLToolCalls", true),
        ("GLM-4.6", "none", true),   // `<tool_call>NAME<arg_key>…`: not supported yet
        ("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", "none", true),
        ("meta-llama-Llama-3.1-8B-Instruct", "none", false),
        ("google-gemma-2-2b-it", "none", false),
    ])
    func detectsTheFormatFromTheTemplate(name: String, format: String, reasons: Bool) throws {
        let chat = try Self.template(name)
        #expect(chat.toolCallFormat.map { String(describing: type(of: $0)) } ?? "none" == format)
        #expect((chat.reasoningTags == .think) == reasons)
    }

    static let tools: [TemplateValue] = {
        let json = ##"""
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city.", "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "metric": {"type": "boolean"},
                               "tags": {"type": "array", "items": {"type": ["string", "integer"]}}},
                "required": ["city", "days"]}}},
             {"type": "function", "function": {"name": "get_time", "parameters": {
                "type": "object", "properties": {"zone": {"type": "string", "enum": ["UTC", "Europe/Kyiv"]}}, "required": ["zone"]}}}]
            """##
        guard case .array(let tools)? = try? TemplateValue.parseJSON(json) else { return [] }
        return tools
    }()

    static var functions: [ToolFunction] {
        tools.compactMap { tool -> ToolFunction? in
            guard case .object(let object) = tool, case .object(let function)? = object["function"],
                  case .string(let name)? = function["name"] else { return nil }
            return ToolFunction(name: name, parameters: function["parameters"] ?? .object(OrderedObject()))
        }
    }

    /// The conversation with one assistant turn of two calls, rendered by transformers' `render_jinja_template`;
    /// returns that turn's text and each call's arguments as Python's `json.dumps` writes them.
    static func renderedTurn(_ template: String) throws -> (turn: String, arguments: [String]) {
        let script = """
            import json, sys
            from transformers.utils.chat_template_utils import render_jinja_template
            case = json.load(sys.stdin)
            calls = [("get_weather", {"city": "東京 🌸", "days": 3, "metric": True, "tags": ["a b", 1]}), ("get_time", {"zone": "Europe/Kyiv"})]
            messages = [{"role": "user", "content": "Weather and time in Tokyo?"},
                        {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": n, "arguments": a}} for n, a in calls]},
                        {"role": "tool", "content": "sunny"}]
            rendered = render_jinja_template(conversations=[messages], tools=case["tools"], chat_template=open(case["template"]).read(),
                                             add_generation_prompt=True)[0][0]
            start = rendered.index("<|im_start|>assistant", rendered.index("Weather and time")) + len("<|im_start|>assistant")
            turn = rendered[start:rendered.index("<|im_end|>", start)]
            json.dump({"turn": turn, "arguments": [json.dumps(a, ensure_ascii=False) for _, a in calls]}, sys.stdout, ensure_ascii=False)
            """
        let input: [String: Any] = [
            "template": TestEnvironment.conformance.appendingPathComponent("templates/\(template).jinja").path,
            "tools": try JSONSerialization.jsonObject(with: Data(TemplateValue.array(tools).jsonString().utf8)),
        ]
        let output = try ReferencePython.run(script, input: try JSONSerialization.data(withJSONObject: input))
        struct Rendered: Decodable { let turn: String; let arguments: [String] }
        let rendered = try JSONDecoder().decode(Rendered.self, from: output)
        return (rendered.turn, rendered.arguments)
    }

    @Test(arguments: ["Qwen-Qwen2.5-7B-Instruct", "Qwen-Qwen3-0.6B", "Qwen3-Coder", "Qwen3.5-4B"])
    func parsesAndForcesWhatTheTemplateRenders(template: String) throws {
        let chat = try Self.template(template)
        let format = try #require(chat.toolCallFormat)
        let (turn, arguments) = try Self.renderedTurn(template)
        #expect(turn.contains("<tool_call>"))

        // Parsed back: the same calls, nothing left as content.
        let parser = ChatOutputParser(toolCalls: format, tools: Self.functions, reasoning: chat.reasoningTags)
        let output = ChatOutput(parsing: turn, with: parser)
        #expect(output.toolCalls == [ToolCall(name: "get_weather", arguments: arguments[0]), ToolCall(name: "get_time", arguments: arguments[1])],
                "\(turn)")
        #expect(output.content == "" && output.reasoning == "")

        // Forced: the grammar accepts the rendered calls (after the reasoning block Qwen3.5 renders), two only when parallel.
        let start = (chat.reasoningTags.flatMap { turn.range(of: $0.opening) } ?? turn.range(of: "<tool_call>")!).lowerBound
        let calls = String(turn[start...])
        let grammar = try format.grammar(for: Self.functions, parallel: true, reasoning: chat.reasoningTags)
        #expect(Self.accepts(grammar, calls), "\(calls)")
        let first = String(calls[..<calls.range(of: "</tool_call>")!.upperBound])
        let single = try format.grammar(for: Self.functions, parallel: false, reasoning: chat.reasoningTags)
        #expect(Self.accepts(single, first) && !Self.accepts(single, calls))
        // Only the named function, when one is named.
        let named = try format.grammar(for: [Self.functions[1]], parallel: false)
        #expect(!Self.accepts(named, String(calls[calls.range(of: "<tool_call>")!.lowerBound...])))
    }

    /// One byte per token, so a grammar is checked on text exactly.
    static let bytes = GrammarVocabulary(tokens: (0..<256).map { [UInt8($0)] }, excluded: [], endOfGeneration: [])

    /// Whether `grammar` accepts `text` whole.
    static func accepts(_ grammar: Grammar, _ text: String) -> Bool {
        var matcher = GrammarMatcher(grammar: grammar, vocabulary: bytes)
        for byte in text.utf8 {
            do { try matcher.accept(Int32(byte)) } catch { return false }
        }
        return matcher.isComplete
    }

    @Test func hermesGrammarHoldsArgumentsToTheSchema() throws {
        let grammar = try HermesToolCalls().grammar(for: Self.functions, parallel: false)
        let call = { (json: String) in "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \(json)}\n</tool_call>" }
        #expect(Self.accepts(grammar, call(#"{"city": "Paris", "days": 2}"#)))
        #expect(Self.accepts(grammar, call(#"{"city": "Paris", "days": 2, "tags": ["x", 3]}"#)))
        #expect(!Self.accepts(grammar, call(#"{"city": "Paris"}"#)))              // days is required
        #expect(!Self.accepts(grammar, call(#"{"city": "Paris", "days": "2"}"#)))  // days is an integer
        #expect(!Self.accepts(grammar, call(#"{"city": "Paris", "days": 2, "wind": 1}"#)))
        #expect(!Self.accepts(grammar, "<tool_call>\n{\"name\": \"get_wind\", \"arguments\": {}}\n</tool_call>"))
        #expect(!Self.accepts(grammar, "Sure! " + call(#"{"city": "Paris", "days": 2}"#)))
        // A function without parameters takes any object, and only an object.
        let bare = try HermesToolCalls().grammar(for: [ToolFunction(name: "ping")], parallel: false)
        #expect(Self.accepts(bare, "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>"))
        #expect(!Self.accepts(bare, "<tool_call>\n{\"name\": \"ping\", \"arguments\": 1}\n</tool_call>"))
    }

    @Test func reasoningMayComeFirstAndMustWhenThePromptOpenedIt() throws {
        let call = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}\n</tool_call>"
        let optional = try HermesToolCalls().grammar(for: Self.functions, parallel: false, reasoning: .think)
        #expect(Self.accepts(optional, call))
        #expect(Self.accepts(optional, "<think>\nThe user wants the time.\n</think>\n\n" + call))
        let open = try HermesToolCalls().grammar(for: Self.functions, parallel: false, reasoning: .think, reasoningOpen: true)
        #expect(Self.accepts(open, "Time, so get_time.\n</think>\n\n" + call))
        #expect(!Self.accepts(open, call))
    }

    @Test func qwenXMLGrammarWritesStringsRawAndTheRestAsJSON() throws {
        let grammar = try QwenXMLToolCalls().grammar(for: Self.functions, parallel: false)
        let call = { (parameters: String) in "<tool_call>\n<function=get_weather>\n\(parameters)</function>\n</tool_call>" }
        let city = "<parameter=city>\nSão Paulo, \"SP\"\n</parameter>\n", days = "<parameter=days>\n4\n</parameter>\n"
        #expect(Self.accepts(grammar, call(city + days)))
        #expect(Self.accepts(grammar, call(city + days + "<parameter=tags>\n[\"a\", 2]\n</parameter>\n")))
        #expect(!Self.accepts(grammar, call(city)))                                                  // days is required
        #expect(!Self.accepts(grammar, call(city + "<parameter=days>\nfour\n</parameter>\n")))
        #expect(!Self.accepts(grammar, "<tool_call>\n<function=get_time>\n<parameter=zone>\nMars\n</parameter>\n</function>\n</tool_call>"))
        #expect(Self.accepts(grammar, "<tool_call>\n<function=get_time>\n<parameter=zone>\nUTC\n</parameter>\n</function>\n</tool_call>"))
        // Raw string keywords it cannot enforce are refused rather than ignored.
        let limited = ToolFunction(name: "f", parameters: ["type": "object", "properties": ["s": ["type": "string", "maxLength": 3]]])
        #expect(throws: GrammarError.unsupportedSchema(keyword: "maxLength", path: "#/properties/s")) {
            try QwenXMLToolCalls().grammar(for: [limited], parallel: false)
        }
    }

    @Test func thinkingSwitchedPerRequestOnTheRealTemplate() throws {
        // Qwen3.5's generation prompt opens `<think>\n` unless `enable_thinking` is false (specs/qwen35.md).
        let chat = try Self.template("Qwen3.5-4B")
        let tags = try #require(chat.reasoningTags)
        let messages = ChatFormat.messages(user: "Hi")
        #expect(tags.isOpen(afterPrompt: try chat.render(messages: messages)))
        #expect(tags.isOpen(afterPrompt: try chat.render(messages: messages, extra: ["enable_thinking": true])))
        #expect(!tags.isOpen(afterPrompt: try chat.render(messages: messages, extra: ["enable_thinking": false])))
    }

    @Test func reasoningOpenAfterPrompt() {
        #expect(ReasoningTags.think.isOpen(afterPrompt: "<|im_start|>assistant\n<think>\n"))
        #expect(!ReasoningTags.think.isOpen(afterPrompt: "<|im_start|>assistant\n<think>\n\n</think>\n\n"))
        #expect(!ReasoningTags.think.isOpen(afterPrompt: "<|im_start|>assistant\n"))
    }
}
