/// The body of `POST /v1/chat/completions` (the fields Kinglet reads; others are ignored).
struct ChatCompletionRequest: Decodable, Sendable {
    var model: String?
    var messages: [ChatMessage]
    var stream: Bool?
    var streamOptions: StreamOptions?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var n: Int?
    var logprobs: Bool?
    var topLogprobs: Int?
    var responseFormat: ResponseFormat?
    var tools: [ToolDefinition]?
    var toolChoice: ToolChoice?
    var parallelToolCalls: Bool?
    /// Extra variables for the chat template (`enable_thinking`); the values are read from the raw body.
    var chatTemplateKwargs: [String: JSONIgnored]?
    var sampling: SamplingFields

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, n, logprobs, tools
        case streamOptions = "stream_options", maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens"
        case topLogprobs = "top_logprobs", responseFormat = "response_format", toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls", chatTemplateKwargs = "chat_template_kwargs"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
        logprobs = try container.decodeIfPresent(Bool.self, forKey: .logprobs)
        topLogprobs = try container.decodeIfPresent(Int.self, forKey: .topLogprobs)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
        tools = try container.decodeIfPresent([ToolDefinition].self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls)
        chatTemplateKwargs = try container.decodeIfPresent([String: JSONIgnored].self, forKey: .chatTemplateKwargs)
        sampling = try SamplingFields(from: decoder)
    }
}

/// One message of the conversation; the template receives the whole original object
/// (so `tool_calls`, `name`, … pass through), with `content` flattened to text.
struct ChatMessage: Decodable, Sendable {
    var role: String
    var content: MessageContent?
    var toolCalls: [MessageToolCall]?
    var toolCallID: String?

    enum CodingKeys: String, CodingKey { case role, content, toolCalls = "tool_calls", toolCallID = "tool_call_id" }
}

/// A message's `content`: a string, an array of `{"type": "text", "text": …}` parts, or null.
struct MessageContent: Decodable, Sendable {
    var text: String

    struct Part: Decodable, Sendable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
            return
        }
        guard (try? container.decode([JSONIgnored].self)) != nil else {
            throw DecodingError.wrongType(decoder, expected: "a string or an array of content parts")
        }
        var parts = try decoder.unkeyedContainer()
        var text = ""
        while !parts.isAtEnd {
            let index = parts.currentIndex
            let part = try parts.decode(Part.self)
            guard part.type == "text", let piece = part.text else {
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [IndexKey(index)],
                    debugDescription: "only text content parts ({\"type\": \"text\", \"text\": …}) are supported, not '\(part.type)'"))
            }
            text += piece
        }
        self.text = text
    }
}

/// `response_format`: `text`, `json_object` or `json_schema` (whose schema is read from the raw body, keys in order).
struct ResponseFormat: Decodable, Sendable {
    var type: String

    static let supported = ["text", "json_object", "json_schema"]
}

/// Any JSON value, skipped.
struct JSONIgnored: Decodable {
    init(from decoder: any Decoder) throws {}
}

/// An array index in a coding path.
struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}
