import Grammar
import Templates

/// Hermes-style calls, as Qwen2.5 and Qwen3 write them: a JSON object between tags,
/// `<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>`.
///
/// Small Qwen models often write the object alone as their whole answer (sometimes in a ```` ```json ````
/// fence); as llama.cpp's Hermes parser does, that is a call too when it names a declared function.
public struct HermesToolCalls: ToolCallFormat {
    public let openingTag = "<tool_call>"
    public let closingTag = "</tool_call>"
    public let separator = "\n"

    public init() {}

    public func parseCall(_ body: Substring, tools: [ToolFunction]) -> ToolCall? {
        guard case .object(let call)? = try? TemplateValue.parseJSON(String(body)),
              case .string(let name)? = call["name"], !name.isEmpty,
              let arguments = call["arguments"], case .object = arguments, arguments.isFiniteJSON
        else { return nil }
        return ToolCall(name: name, arguments: arguments.jsonString())
    }

    public func parseBareCall(_ answer: Substring, tools: [ToolFunction]) -> ToolCall? {
        var body = Self.droppingFence(answer.drop { $0.isWhitespace })
        while body.last?.isWhitespace == true { body = body.dropLast() }
        if body.hasSuffix("```") { body = body.dropLast(3) }
        guard let call = parseCall(body, tools: tools), tools.contains(where: { $0.name == call.name }) else { return nil }
        return call
    }

    /// Whether `start` may begin `{"name": "<a declared function>"`, in a fence or not, spaces aside.
    public func mayBeBareCall(_ start: Substring, tools: [ToolFunction]) -> Bool {
        var rest = start.drop { $0.isWhitespace }
        if "```json".hasPrefix(rest) { return true }
        rest = Self.droppingFence(rest)
        for token in ["{", "\"name\"", ":", "\""] {
            rest = rest.drop { $0.isWhitespace }
            if token.hasPrefix(rest) { return true }
            guard rest.hasPrefix(token) else { return false }
            rest = rest.dropFirst(token.count)
        }
        guard let quote = rest.firstIndex(of: "\"") else { return tools.contains { $0.name.hasPrefix(rest) } }
        return tools.contains { $0.name == rest[..<quote] }
    }

    private static func droppingFence(_ text: Substring) -> Substring {
        for fence in ["```json", "```"] where text.hasPrefix(fence) { return text.dropFirst(fence.count) }
        return text
    }

    /// Exactly the text the chat templates render for a call: `\n{"name": "NAME", "arguments": ARGS}\n`.
    public func callGrammar(for tool: ToolFunction, rule: String) throws(GrammarError) -> (gbnf: String, schemaRules: [(name: String, schema: TemplateValue)]) {
        let head = "\n{\"name\": \(TemplateValue.string(tool.name).jsonString()), \"arguments\": "
        let gbnf = "\(rule) ::= \(Grammar.literal(head)) \(rule)_arguments \(Grammar.literal("}\n"))"
        return (gbnf, [("\(rule)_arguments", tool.argumentsSchema)])
    }
}

extension ToolFunction {
    /// `parameters`, typed as an object when it does not say (`{}` is any object, not any value).
    var argumentsSchema: TemplateValue {
        guard case .object(var schema) = parameters, schema["type"] == nil else { return parameters }
        schema["type"] = "object"
        return .object(schema)
    }
}

extension TemplateValue {
    /// Whether every number is finite, so the JSON text written for it is JSON (no `Infinity`).
    var isFiniteJSON: Bool {
        switch self {
        case .double(let value): value.isFinite
        case .array(let items): items.allSatisfy(\.isFiniteJSON)
        case .object(let object): object.values.allSatisfy(\.isFiniteJSON)
        default: true
        }
    }
}
