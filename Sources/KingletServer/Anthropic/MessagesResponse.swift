import Kinglet
import Templates

/// The body of a `/v1/messages` answer (`type: "message"`), and the `message` a stream opens with.
struct MessagesResponse: Encodable, Sendable {
    var id: String
    var model: String
    var content: [ContentBlock]
    /// `end_turn`, `max_tokens`, `stop_sequence`, `tool_use` or `model_context_window_exceeded`; null while streaming.
    var stopReason: String?
    var stopSequence: String?
    var usage: MessagesUsage

    enum CodingKeys: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason", stopSequence = "stop_sequence"
    }

    // Anthropic writes `stop_reason` and `stop_sequence` as null rather than leaving them out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("message", forKey: .type)
        try container.encode("assistant", forKey: .role)
        try container.encode(model, forKey: .model)
        try container.encode(content, forKey: .content)
        try container.encode(stopReason, forKey: .stopReason)
        try container.encode(stopSequence, forKey: .stopSequence)
        try container.encode(usage, forKey: .usage)
    }
}

/// One block of an answer's `content`.
enum ContentBlock: Encodable, Sendable {
    case text(String)
    /// The model's reasoning. Its `signature` is empty: nothing here verifies reasoning given back.
    case thinking(String)
    /// A call; `input` is the arguments object.
    case toolUse(id: String, name: String, input: TemplateValue)

    enum CodingKeys: String, CodingKey { case type, text, thinking, signature, id, name, input }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .thinking(let thinking):
            try container.encode("thinking", forKey: .type)
            try container.encode(thinking, forKey: .thinking)
            try container.encode("", forKey: .signature)
        case .toolUse(let id, let name, let input):
            try container.encode("tool_use", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(JSONValue(input), forKey: .input)
        }
    }
}

/// `usage`. `input_tokens` counts the whole prompt (as the chat route's `prompt_tokens` does); of those,
/// `cache_read_input_tokens` were already cached.
struct MessagesUsage: Encodable, Sendable {
    var inputTokens: Int
    var outputTokens: Int
    var cacheReadInputTokens: Int

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens", outputTokens = "output_tokens", cacheReadInputTokens = "cache_read_input_tokens"
    }

    init(_ summary: GenerationSummary) {
        inputTokens = summary.promptTokens
        outputTokens = summary.generatedTokens
        cacheReadInputTokens = summary.cachedPromptTokens
    }

    init(inputTokens: Int) {
        self.inputTokens = inputTokens
        outputTokens = 0
        cacheReadInputTokens = 0
    }
}

/// The events of a streamed answer, each sent as `event: NAME` and `data: {"type": NAME, …}`.
enum MessageStreamEvent: Encodable, Sendable {
    case messageStart(MessagesResponse)
    case ping
    case blockStart(index: Int, ContentBlock)
    case blockDelta(index: Int, BlockDelta)
    case blockStop(index: Int)
    case messageDelta(stopReason: String, stopSequence: String?, usage: MessagesUsage)
    case messageStop

    /// What extends a block: `text_delta`, `thinking_delta`, or `input_json_delta` (JSON text of the input).
    enum BlockDelta: Sendable {
        case text(String)
        case thinking(String)
        case inputJSON(String)
    }

    var name: String {
        switch self {
        case .messageStart: "message_start"
        case .ping: "ping"
        case .blockStart: "content_block_start"
        case .blockDelta: "content_block_delta"
        case .blockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, message, index, delta, usage, text, thinking
        case contentBlock = "content_block", partialJSON = "partial_json", stopReason = "stop_reason", stopSequence = "stop_sequence"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .type)
        switch self {
        case .messageStart(let message):
            try container.encode(message, forKey: .message)
        case .ping, .messageStop:
            break
        case .blockStart(let index, let block):
            try container.encode(index, forKey: .index)
            try container.encode(block, forKey: .contentBlock)
        case .blockDelta(let index, let delta):
            try container.encode(index, forKey: .index)
            var body = container.nestedContainer(keyedBy: CodingKeys.self, forKey: .delta)
            switch delta {
            case .text(let text):
                try body.encode("text_delta", forKey: .type)
                try body.encode(text, forKey: .text)
            case .thinking(let thinking):
                try body.encode("thinking_delta", forKey: .type)
                try body.encode(thinking, forKey: .thinking)
            case .inputJSON(let json):
                try body.encode("input_json_delta", forKey: .type)
                try body.encode(json, forKey: .partialJSON)
            }
        case .blockStop(let index):
            try container.encode(index, forKey: .index)
        case .messageDelta(let stopReason, let stopSequence, let usage):
            var delta = container.nestedContainer(keyedBy: CodingKeys.self, forKey: .delta)
            try delta.encode(stopReason, forKey: .stopReason)
            try delta.encode(stopSequence, forKey: .stopSequence)
            try container.encode(usage, forKey: .usage)
        }
    }
}

extension GenerationSummary {
    /// Anthropic's `stop_reason` for an answer that made `toolUses` calls: `tool_use` when it ended by itself.
    func anthropicStopReason(toolUses: Int) -> String {
        switch stopReason {
        case .stop: toolUses > 0 ? "tool_use" : stopSequence != nil ? "stop_sequence" : "end_turn"
        case .length: "max_tokens"
        case .contextFull: "model_context_window_exceeded"
        case .cancelled: "end_turn"
        }
    }
}

/// `count_tokens`' answer.
struct TokenCount: Encodable, Sendable {
    var inputTokens: Int
    enum CodingKeys: String, CodingKey { case inputTokens = "input_tokens" }
}

/// A `TemplateValue` (JSON from the request or the model) written as JSON.
struct JSONValue: Encodable {
    var value: TemplateValue

    init(_ value: TemplateValue) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(JSONValue(item)) }
        case .object(let object):
            var container = encoder.container(keyedBy: NameKey.self)
            for (key, item) in object.entries { try container.encode(JSONValue(item), forKey: NameKey(key)) }
        case .undefined, .none:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .int(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .double(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .string(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }
}
