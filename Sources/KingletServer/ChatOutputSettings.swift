import Grammar
import Kinglet
import Templates
import Tokenizers

/// What a chat request asks of the answer besides text — functions the model may or must call,
/// reasoning kept apart, extra template variables — checked (400s naming the field) and resolved
/// against the model's chat format.
///
/// `tool_choice` (default `auto` with tools, `none` without):
/// - `none`: the tools are still rendered, as OpenAI, llama.cpp and vLLM do (the model keeps knowing the
///   functions earlier turns called), but the output is never parsed for calls, and the token that opens
///   one (Qwen's `<tool_call>`) is banned so the model cannot start a call.
/// - `auto`: free generation; calls the model writes in its native format become `tool_calls`, and a
///   malformed one stays in the content as written.
/// - `required`: decoding is constrained to calls only — one, or several with `parallel_tool_calls`
///   (default true, as OpenAI) — whose arguments are valid for their function's schema.
/// - `{"type": "function", "function": {"name": …}}`: the same, one call to that function.
struct ChatOutputSettings {
    /// The request's `tools` objects as the chat template receives them; nil without tools.
    let templateTools: [TemplateValue]?
    /// `chat_template_kwargs`.
    let templateVariables: [String: TemplateValue]
    let choice: ToolChoice
    let functions: [ToolFunction]
    let parallel: Bool
    let toolFormat: (any ToolCallFormat)?
    let reasoning: ReasoningTags?

    /// Template variables the server sets itself.
    static let reservedVariables: Set<String> = ["messages", "tools", "documents", "add_generation_prompt", "bos_token", "eos_token"]

    init(_ chat: ChatCompletionRequest, tree: TemplateValue, format: ChatFormat) throws(OpenAIError) {
        let definitions = chat.tools ?? []
        var functions: [ToolFunction] = []
        var templateTools: [TemplateValue] = []
        for (index, tool) in definitions.enumerated() {
            let field = "tools[\(index)]"
            guard tool.type == "function" else {
                throw .badRequest("'\(field).type' is '\(tool.type)'; only function tools are supported", param: "\(field).type", code: "invalid_value")
            }
            let name = tool.function.name
            let allowed = name.unicodeScalars.allSatisfy { c in
                ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
            }
            guard allowed, (1...64).contains(name.unicodeScalars.count) else {
                throw .badRequest("'\(field).function.name' must be 1 to 64 of a-z, A-Z, 0-9, _ and -; got '\(name)'",
                                  param: "\(field).function.name", code: "invalid_value")
            }
            guard !functions.contains(where: { $0.name == name }) else {
                throw .badRequest("'\(field).function.name': two tools are named '\(name)'", param: "\(field).function.name", code: "invalid_value")
            }
            guard case .array(let raw)? = tree[member: "tools"], index < raw.count else {
                throw .badRequest("'tools' must be an array of tool objects", param: "tools")
            }
            let parameters = raw[index][member: "function"]?[member: "parameters"] ?? .object(OrderedObject())
            functions.append(ToolFunction(name: name, parameters: parameters))
            templateTools.append(raw[index])
        }
        self.templateTools = templateTools.isEmpty ? nil : templateTools
        self.functions = functions
        parallel = chat.parallelToolCalls ?? true
        choice = chat.toolChoice ?? (functions.isEmpty ? .none : .auto)
        toolFormat = format.toolCallFormat
        reasoning = format.reasoningTags
        switch choice {
        case .none, .auto: break
        case .required, .function:
            guard !functions.isEmpty else {
                throw .badRequest("'tool_choice' asks for a tool call but no 'tools' are given", param: "tool_choice", code: "invalid_value")
            }
            guard toolFormat != nil else {
                throw .badRequest("this model's chat template writes tool calls in no format Kinglet knows (Hermes <tool_call> JSON, Qwen XML), so they cannot be forced; use tool_choice auto or none",
                                  param: "tool_choice", code: "invalid_value")
            }
        }
        if case .function(let name) = choice, !functions.contains(where: { $0.name == name }) {
            throw .badRequest("'tool_choice.function.name' is '\(name)', which is not among the tools (\(functions.map(\.name).joined(separator: ", ")))",
                              param: "tool_choice.function.name", code: "invalid_value")
        }
        var variables: [String: TemplateValue] = [:]
        if case .object(let kwargs)? = tree[member: "chat_template_kwargs"] {
            for (key, value) in kwargs.entries {
                guard !Self.reservedVariables.contains(key) else {
                    throw .badRequest("'chat_template_kwargs.\(key)' is set by the server; leave it out",
                                      param: "chat_template_kwargs.\(key)", code: "invalid_value")
                }
                variables[key] = value
            }
        }
        templateVariables = variables
    }

    /// The functions a forced choice may call: all of them for `required`, the named one.
    private var forcedFunctions: [ToolFunction]? {
        switch choice {
        case .none, .auto: nil
        case .required: functions
        case .function(let name): functions.filter { $0.name == name }
        }
    }

    /// The parser that splits the output into content, reasoning and calls; nil when the output is plain content.
    func parser(reasoningOpen: Bool) -> ChatOutputParser? {
        let calls = choice != .none && !functions.isEmpty ? toolFormat : nil
        guard calls != nil || reasoning != nil else { return nil }
        return ChatOutputParser(toolCalls: calls, tools: functions, reasoning: reasoning, reasoningOpen: reasoningOpen,
                                callsOnly: forcedFunctions != nil, parallel: parallel)
    }

    /// The grammar a forced choice decodes with (calls only, arguments valid for their schemas); nil otherwise.
    /// - Throws: 400 naming `tools[i].function.parameters` when a schema cannot be enforced.
    func grammar(reasoningOpen: Bool) throws(OpenAIError) -> Grammar? {
        guard let forced = forcedFunctions, let toolFormat else { return nil }
        let single: Bool
        if case .function = choice { single = true } else { single = !parallel }
        do {
            return try toolFormat.grammar(for: forced, parallel: !single, reasoning: reasoning, reasoningOpen: reasoningOpen)
        } catch {
            // Name the function whose schema failed.
            for (index, function) in functions.enumerated() where forced.contains(where: { $0.name == function.name }) {
                do { _ = try toolFormat.grammar(for: [function], parallel: false) } catch {
                    let field = "tools[\(index)].function.parameters"
                    throw .badRequest("'\(field)' cannot be enforced: \(error)", param: field, code: "invalid_value")
                }
            }
            throw .badRequest("the tools cannot be enforced: \(error)", param: "tools", code: "invalid_value")
        }
    }

    /// Tokens the model may not write: the one that opens a call, under `tool_choice: none`.
    func bannedTokens(_ tokenizer: Tokenizer) -> [Int32] {
        guard choice == .none, !functions.isEmpty, let toolFormat else { return [] }
        let opening = tokenizer.encode(toolFormat.openingTag, addBOS: false, parseSpecial: true)
        return opening.count == 1 ? opening : []
    }
}

extension StopReason {
    /// `finish_reason` for an answer that made `toolCalls` calls: `tool_calls` when it ended by itself.
    func finishReason(toolCalls: Int) -> String {
        toolCalls > 0 && self == .stop ? "tool_calls" : finishReason
    }
}
