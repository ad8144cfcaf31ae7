import Kinglet
import Templates

extension ChatOutputSettings.Fields {
    static let anthropic = Self(toolName: "name", toolParameters: "input_schema", choiceName: "tool_choice.name")
}

extension ChatOutputSettings {
    /// A Messages request's `tools`, `tool_choice` and `thinking`.
    ///
    /// Each tool reaches the chat template in OpenAI's shape (`{"type": "function", "function": {"name",
    /// "description", "parameters": input_schema}}`), the one templates are written for. `tool_choice`
    /// `any` is OpenAI's `required`, `tool` a named function, and `disable_parallel_tool_use` allows one
    /// call. `thinking` sets the template's `enable_thinking` (Qwen3's switch); without it thinking is off,
    /// as in Anthropic's API.
    init(_ input: MessagesRequest, tree: TemplateValue, format: ChatFormat) throws(OpenAIError) {
        var tools: [Tool] = []
        for (index, tool) in (input.tools ?? []).enumerated() {
            guard tool.type == nil || tool.type == "custom" else {
                throw .badRequest("'tools[\(index)].type' is '\(tool.type!)'; only custom tools (name, description, input_schema) are supported",
                                  param: "tools[\(index)].type", code: "invalid_value")
            }
            guard tool.inputSchema != nil else {
                throw .badRequest("missing required field 'tools[\(index)].input_schema'", param: "tools[\(index)].input_schema", code: "missing_field")
            }
            guard case .array(let raw)? = tree[member: "tools"], index < raw.count, let schema = raw[index][member: "input_schema"] else {
                throw .badRequest("'tools' must be an array of tool objects", param: "tools")
            }
            var function = OrderedObject<TemplateValue>([("name", .string(tool.name))])
            if let description = tool.description { function["description"] = .string(description) }
            function["parameters"] = schema
            tools.append(Tool(function: ToolFunction(name: tool.name, parameters: schema),
                              template: ["type": "function", "function": .object(function)]))
        }
        try self.init(tools: tools, choice: input.toolChoice?.choice, parallel: input.toolChoice?.disableParallelToolUse != true,
                      variables: ["enable_thinking": .bool(input.thinking?.enabled ?? false)], format: format, fields: .anthropic)
    }
}
