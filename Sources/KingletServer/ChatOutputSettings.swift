import Grammar
import Kinglet
import Templates
import Tokenizers

/// What a chat request asks of the answer besides text — functions the model may or must call,
/// reasoning kept apart, extra template variables — checked (400s naming the field) and resolved
/// against the model's chat format. `/v1/chat/completions` and `/v1/messages` both read their
/// requests into it, so they render, constrain and parse alike.
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
    /// The tools as the chat template receives them (OpenAI's `{"type": "function", "function": …}`); nil without tools.
    let templateTools: [TemplateValue]?
    /// `chat_template_kwargs`.
    let templateVariables: [String: TemplateValue]
    let choice: ToolChoice
    let functions: [ToolFunction]
    let parallel: Bool
    let format: ChatFormat
    let toolFormat: (any ToolCallFormat)?
    let reasoning: ReasoningTags?
    private let fields: Fields

    /// Template variables the server sets itself.
    static let reservedVariables: Set<String> = ["messages", "tools", "documents", "add_generation_prompt", "bos_token", "eos_token"]

    /// One declared tool: its function and its object for the chat template.
    struct Tool {
        var function: ToolFunction
        var template: TemplateValue
    }

    /// Where a request keeps the fields errors name, below `tools[i]` and `tool_choice`.
    struct Fields {
        var toolName: String
        var toolParameters: String
        var choiceName: String

        static let openAI = Fields(toolName: "function.name", toolParameters: "function.parameters", choiceName: "tool_choice.function.name")
    }

    /// Checks the tools' names (unique, 1 to 64 of a-z, A-Z, 0-9, _ and -) and that `choice` can be honoured.
    init(tools: [Tool], choice: ToolChoice?, parallel: Bool, variables: [String: TemplateValue], format: ChatFormat,
         fields: Fields) throws(OpenAIError) {
        var functions: [ToolFunction] = []
        for (index, tool) in tools.enumerated() {
            let field = "tools[\(index)].\(fields.toolName)"
            let name = tool.function.name
            let allowed = name.unicodeScalars.allSatisfy { c in
                ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
            }
            guard allowed, (1...64).contains(name.unicodeScalars.count) else {
                throw .badRequest("'\(field)' must be 1 to 64 of a-z, A-Z, 0-9, _ and -; got '\(name)'", param: field, code: "invalid_value")
            }
            guard !functions.contains(where: { $0.name == name }) else {
                throw .badRequest("'\(field)': two tools are named '\(name)'", param: field, code: "invalid_value")
            }
            functions.append(tool.function)
        }
        templateTools = tools.isEmpty ? nil : tools.map(\.template)
        self.functions = functions
        self.parallel = parallel
        self.choice = choice ?? (functions.isEmpty ? .none : .auto)
        self.format = format
        self.fields = fields
        templateVariables = variables
        toolFormat = format.toolCallFormat
        reasoning = format.reasoningTags
        switch self.choice {
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
        if case .function(let name) = self.choice, !functions.contains(where: { $0.name == name }) {
            throw .badRequest("'\(fields.choiceName)' is '\(name)', which is not among the tools (\(functions.map(\.name).joined(separator: ", ")))",
                              param: fields.choiceName, code: "invalid_value")
        }
    }

    /// An OpenAI chat request's `tools`, `tool_choice`, `parallel_tool_calls` and `chat_template_kwargs`.
    init(_ chat: ChatCompletionRequest, tree: TemplateValue, format: ChatFormat) throws(OpenAIError) {
        var tools: [Tool] = []
        for (index, tool) in (chat.tools ?? []).enumerated() {
            guard tool.type == "function" else {
                throw .badRequest("'tools[\(index)].type' is '\(tool.type)'; only function tools are supported", param: "tools[\(index)].type", code: "invalid_value")
            }
            guard case .array(let raw)? = tree[member: "tools"], index < raw.count else {
                throw .badRequest("'tools' must be an array of tool objects", param: "tools")
            }
            let parameters = raw[index][member: "function"]?[member: "parameters"] ?? .object(OrderedObject())
            tools.append(Tool(function: ToolFunction(name: tool.function.name, parameters: parameters), template: raw[index]))
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
        try self.init(tools: tools, choice: chat.toolChoice, parallel: chat.parallelToolCalls ?? true, variables: variables,
                      format: format, fields: .openAI)
    }

    /// The prompt: `messages` (as the template wants them) and the tools through the chat template.
    /// - Throws: 400 naming `messages` when the template fails on them.
    func prompt(_ messages: [TemplateValue], model: LanguageModel) throws(OpenAIError) -> [Int32] {
        do {
            return try model.chatPrompt(messages: messages, tools: templateTools, format: format, extra: templateVariables)
        } catch {
            throw OpenAIError(error, param: "messages")
        }
    }

    /// How to decode after `prompt` and read what comes out.
    struct Decoding {
        /// What a forced tool choice decodes with; nil when the choice forces nothing.
        var grammar: Grammar?
        /// Splits the output into content, reasoning and calls; nil when it is all content.
        var parser: ChatOutputParser?
        /// Tokens the model may not write.
        var bannedTokens: [Int32]

        func ban(in parameters: inout GenerationParameters) {
            for token in bannedTokens { parameters.sampling.logitBias[token] = -.infinity }
        }
    }

    func decoding(after prompt: [Int32], tokenizer: Tokenizer) throws(OpenAIError) -> Decoding {
        // Qwen3.5's and DeepSeek-R1's generation prompts open the reasoning block themselves.
        let reasoningOpen = reasoning?.isOpen(afterPrompt: tokenizer.decode(Array(prompt.suffix(8)))) ?? false
        return Decoding(grammar: try grammar(reasoningOpen: reasoningOpen), parser: parser(reasoningOpen: reasoningOpen),
                        bannedTokens: bannedTokens(tokenizer))
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
    private func parser(reasoningOpen: Bool) -> ChatOutputParser? {
        let calls = choice != .none && !functions.isEmpty ? toolFormat : nil
        guard calls != nil || reasoning != nil else { return nil }
        return ChatOutputParser(toolCalls: calls, tools: functions, reasoning: reasoning, reasoningOpen: reasoningOpen,
                                callsOnly: forcedFunctions != nil, parallel: parallel)
    }

    /// The grammar a forced choice decodes with (calls only, arguments valid for their schemas); nil otherwise.
    /// - Throws: 400 naming `tools[i].function.parameters` when a schema cannot be enforced.
    private func grammar(reasoningOpen: Bool) throws(OpenAIError) -> Grammar? {
        guard let forced = forcedFunctions, let toolFormat else { return nil }
        let single: Bool
        if case .function = choice { single = true } else { single = !parallel }
        do {
            return try toolFormat.grammar(for: forced, parallel: !single, reasoning: reasoning, reasoningOpen: reasoningOpen)
        } catch {
            // Name the function whose schema failed.
            for (index, function) in functions.enumerated() where forced.contains(where: { $0.name == function.name }) {
                do { _ = try toolFormat.grammar(for: [function], parallel: false) } catch {
                    let field = "tools[\(index)].\(fields.toolParameters)"
                    throw .badRequest("'\(field)' cannot be enforced: \(error)", param: field, code: "invalid_value")
                }
            }
            throw .badRequest("the tools cannot be enforced: \(error)", param: "tools", code: "invalid_value")
        }
    }

    /// Tokens the model may not write: the one that opens a call, under `tool_choice: none`.
    private func bannedTokens(_ tokenizer: Tokenizer) -> [Int32] {
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
