/// The body of a non-streaming chat completion (`object: "chat.completion"`).
struct ChatCompletion: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role = "assistant"
        /// Null when the answer is only tool calls, as OpenAI sends it.
        var content: String?
        var reasoningContent: String?
        var toolCalls: [ToolCall]?

        enum CodingKeys: String, CodingKey { case role, content, reasoningContent = "reasoning_content", toolCalls = "tool_calls" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        }
    }

    /// `message.tool_calls[i]`.
    struct ToolCall: Encodable, Sendable {
        struct Function: Encodable, Sendable {
            var name: String
            /// The arguments object as JSON text.
            var arguments: String
        }
        var id: String
        var type = "function"
        var function: Function
    }

    struct Choice: Encodable, Sendable {
        var index: Int
        var message: Message
        var logprobs: ChatLogprobs?
        var finishReason: String
        enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }
    }

    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    var usage: Usage

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint"
    }
}

/// One server-sent event of a streaming chat completion (`object: "chat.completion.chunk"`).
struct ChatCompletionChunk: Encodable, Sendable {
    struct Delta: Encodable, Sendable {
        var role: String?
        var content: String?
        var reasoningContent: String?
        var toolCalls: [ToolCallDelta]?

        enum CodingKeys: String, CodingKey { case role, content, reasoningContent = "reasoning_content", toolCalls = "tool_calls" }
    }

    /// `delta.tool_calls[i]`: the first for a call carries its id, type and name (with `arguments: ""`),
    /// the next ones pieces of the arguments, as OpenAI streams them.
    struct ToolCallDelta: Encodable, Sendable {
        struct Function: Encodable, Sendable {
            var name: String?
            var arguments: String?
        }
        var index: Int
        var id: String?
        var type: String?
        var function: Function
    }

    struct Choice: Encodable, Sendable {
        var index: Int
        var delta: Delta
        var logprobs: ChatLogprobs?
        var finishReason: String?

        enum CodingKeys: String, CodingKey { case index, delta, logprobs, finishReason = "finish_reason" }

        // `finish_reason` is null until the last chunk of a choice, as OpenAI sends it.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encodeIfPresent(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    var usage: Usage?

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, systemFingerprint = "system_fingerprint"
    }
}
