import Grammar
import Templates

/// How one model family writes tool calls: the tags around a call, what goes between them, and the
/// grammar that makes the model write one. `ChatFormat.toolCallFormat` picks the model's format from
/// its chat template, as llama.cpp's chat-format detection does.
///
/// - `HermesToolCalls` (Qwen2.5, Qwen3, Hermes): `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`
/// - `QwenXMLToolCalls` (Qwen3-Coder, Qwen3.5):
///   `<tool_call>\n<function=NAME>\n<parameter=ARG>\nVALUE\n</parameter>\n</function>\n</tool_call>`
/// - Llama 3.x (`{"name": …, "parameters": {…}}`, after `<|python_tag|>` or as the whole answer) is not
///   supported yet: it would be one more conforming type and one more line in `ChatFormat.toolCallFormat`.
public protocol ToolCallFormat: Sendable {
    /// Opens a call in the output; text before it is content.
    var openingTag: String { get }
    /// Closes a call.
    var closingTag: String { get }
    /// What the model writes between two calls of one answer.
    var separator: String { get }

    /// The call written between the tags (the newlines inside them included), or nil when `body` is not
    /// a well-formed call. `tools` gives the declared argument types, for formats that write values untyped.
    func parseCall(_ body: Substring, tools: [ToolFunction]) -> ToolCall?

    /// A call written without its tags as the whole answer, or nil (the default).
    func parseBareCall(_ answer: Substring, tools: [ToolFunction]) -> ToolCall?

    /// Whether an answer that begins with `start` may still be a bare call, so it is held back (default: never).
    /// Once false for a start, false for every longer one.
    func mayBeBareCall(_ start: Substring, tools: [ToolFunction]) -> Bool

    /// GBNF defining `rule` as the text between the tags of one well-formed call to `tool`, with the
    /// rules it uses that JSON Schemas define. GBNF rule names carry an `_` (`call_0_value`), which schema
    /// rules never do (see `Grammar.init(gbnf:schemaRules:root:)`).
    /// - Throws: `GrammarError` for parameters the format cannot hold the model to.
    func callGrammar(for tool: ToolFunction, rule: String) throws(GrammarError) -> (gbnf: String, schemaRules: [(name: String, schema: TemplateValue)])
}

extension ToolCallFormat {
    public func parseBareCall(_ answer: Substring, tools: [ToolFunction]) -> ToolCall? { nil }

    public func mayBeBareCall(_ start: Substring, tools: [ToolFunction]) -> Bool { false }

    /// A grammar that makes the model call one of `tools` (one or more calls in a row when `parallel`)
    /// and write nothing else, for `tool_choice: required` or a named function.
    ///
    /// With `reasoning`, a reasoning block may come first; it must when the prompt already opened it
    /// (`reasoningOpen`), so a thinking model still thinks before it calls.
    /// - Throws: `GrammarError` for a parameters schema the grammar compiler cannot enforce, or no tools.
    public func grammar(for tools: [ToolFunction], parallel: Bool, reasoning: ReasoningTags? = nil,
                        reasoningOpen: Bool = false) throws(GrammarError) -> Grammar {
        guard !tools.isEmpty else { throw .invalidSchema(message: "a tool call needs at least one tool", path: "#") }
        var lines: [String] = []
        var schemaRules: [(name: String, schema: TemplateValue)] = []
        let calls = tools.indices.map { "call_\($0)" }
        for (tool, rule) in zip(tools, calls) {
            let piece = try callGrammar(for: tool, rule: rule)
            lines.append(piece.gbnf)
            schemaRules += piece.schemaRules
        }
        lines.append("tool_call ::= \(Grammar.literal(openingTag)) ( \(calls.joined(separator: " | ")) ) \(Grammar.literal(closingTag))")
        lines.append("tool_calls ::= tool_call" + (parallel ? " ( \(Grammar.literal(separator)) tool_call )*" : ""))
        var root = "tool_calls"
        if let reasoning {
            lines.append(reasoning.grammar(rule: "reasoning_block", open: reasoningOpen))
            lines.append("reasoning_then_calls ::= reasoning_block\(reasoningOpen ? "" : "?") tool_calls")
            root = "reasoning_then_calls"
        }
        return try Grammar(gbnf: lines.joined(separator: "\n"), schemaRules: schemaRules, root: root)
    }
}

/// GBNF for free text without `</`, so the closing tag after it (`</think>`, `</parameter>`) cannot come early.
func gbnfText(rule: String) -> String {
    #"\#(rule) ::= ( [^<] | "<" [^/] )*"#
}
