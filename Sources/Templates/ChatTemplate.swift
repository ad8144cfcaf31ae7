// The public entry point: parse a chat template once, render it per conversation the way
// Hugging Face's `apply_chat_template` does.

import Foundation

/// A parsed Jinja chat template. Rendering is thread-safe: each call gets its own interpreter.
public struct ChatTemplate: Sendable {
    let nodes: [Node]
    /// The template text, which tells what the model writes (tool-call and reasoning markers).
    public let source: String

    /// Parses `source` (jinja2 with `trim_blocks` and `lstrip_blocks`, as Hugging Face sets up).
    public init(_ source: String) throws(TemplateError) {
        self.source = source
        var lexer = Lexer(source)
        var parser = Parser(tokens: try lexer.tokenize())
        nodes = try parser.parseTemplate()
    }

    /// Renders with `context` as the template's variables. `now` feeds `strftime_now`
    /// (defaults to the current time).
    public func render(_ context: [String: TemplateValue], now: Date? = nil) throws(TemplateError) -> String {
        let interpreter = Interpreter(context: context.mapValues(Value.init), now: now ?? Date())
        defer { interpreter.tearDown() }
        var out = ""
        _ = try interpreter.render(nodes, scope: interpreter.globals, into: &out)
        return out
    }

    /// Renders with Hugging Face `apply_chat_template` conventions: `messages`, `tools`
    /// (None when absent), `documents` (None), `add_generation_prompt`, `bos_token`,
    /// `eos_token`, then `extra` (e.g. `enable_thinking`) as further variables.
    public func render(messages: [TemplateValue], tools: [TemplateValue]? = nil, addGenerationPrompt: Bool,
                       bosToken: String, eosToken: String, extra: [String: TemplateValue] = [:],
                       now: Date? = nil) throws(TemplateError) -> String {
        var context: [String: TemplateValue] = [
            "messages": .array(messages),
            "tools": tools.map(TemplateValue.array) ?? .none,
            "documents": .none,
            "add_generation_prompt": .bool(addGenerationPrompt),
            "bos_token": .string(bosToken),
            "eos_token": .string(eosToken),
        ]
        for (k, v) in extra { context[k] = v }
        return try render(context, now: now)
    }
}
