import Grammar
import Templates

/// Hermes-style calls, as Qwen2.5 and Qwen3 write them: a JSON object between tags,
/// `<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>`.
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
