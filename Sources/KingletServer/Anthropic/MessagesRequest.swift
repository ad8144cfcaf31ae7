/// The body of `POST /v1/messages` and `POST /v1/messages/count_tokens`, Anthropic's Messages API
/// (the fields Kinglet reads; others, such as `metadata`, are ignored).
///
/// Types are checked here, so a wrong one is a 400 naming the field; the values that pass through to the
/// chat template unchanged (`tool_use.input`, `input_schema`) are read from the raw body, keys in order.
struct MessagesRequest: Decodable, Sendable {
    var model: String?
    /// Required by `/v1/messages`, not by `count_tokens`.
    var maxTokens: Int?
    var messages: [Message]
    /// A string or text blocks, read as OpenAI's content parts are (joined).
    var system: MessageContent?
    var stopSequences: [String]?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var stream: Bool?
    var tools: [Tool]?
    var toolChoice: ToolSelection?
    var thinking: Thinking?

    enum CodingKeys: String, CodingKey {
        case model, messages, system, temperature, stream, tools, thinking
        case maxTokens = "max_tokens", stopSequences = "stop_sequences", topP = "top_p", topK = "top_k", toolChoice = "tool_choice"
    }

    /// `messages[i]`: a `user` or `assistant` turn.
    struct Message: Decodable, Sendable {
        var role: String
        var content: Content
    }

    /// A message's `content`: a string, or an array of content blocks.
    enum Content: Decodable, Sendable {
        case text(String)
        case blocks([Block])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if (try? container.decode([JSONIgnored].self)) != nil {
                self = .blocks(try container.decode([Block].self))
            } else {
                throw DecodingError.wrongType(decoder, expected: "a string or an array of content blocks")
            }
        }
    }

    /// One content block: `text`, `tool_use` (assistant), `tool_result` (user), or `thinking` (an earlier
    /// answer's reasoning, given back). Each type's required fields are checked.
    enum Block: Decodable, Sendable {
        case text(String)
        case toolUse(id: String, name: String)
        case toolResult(toolUseID: String, content: String, isError: Bool)
        case thinking(String)

        enum CodingKeys: String, CodingKey {
            case type, text, id, name, input, content, thinking
            case toolUseID = "tool_use_id", isError = "is_error"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "text":
                self = .text(try container.decode(String.self, forKey: .text))
            case "tool_use":
                _ = try container.decode([String: JSONIgnored].self, forKey: .input)
                self = .toolUse(id: try container.decode(String.self, forKey: .id), name: try container.decode(String.self, forKey: .name))
            case "tool_result":
                self = .toolResult(toolUseID: try container.decode(String.self, forKey: .toolUseID),
                                   content: try container.decodeIfPresent(MessageContent.self, forKey: .content)?.text ?? "",
                                   isError: try container.decodeIfPresent(Bool.self, forKey: .isError) ?? false)
            case "thinking":
                self = .thinking(try container.decode(String.self, forKey: .thinking))
            case "redacted_thinking":
                self = .thinking("")
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath + [NameKey("type")],
                    debugDescription: "'\(type)' blocks are not supported; use text, tool_use, tool_result or thinking"))
            }
        }
    }

    /// `tools[i]`: `{"name", "description", "input_schema"}`; the schema is read from the raw body.
    struct Tool: Decodable, Sendable {
        /// `custom` or absent; Anthropic's server tools (`web_search_…`, `bash_…`) run on Anthropic's side.
        var type: String?
        var name: String
        var description: String?
        /// Required of custom tools; checked after `type`, so a server tool is refused for what it is.
        var inputSchema: [String: JSONIgnored]?

        enum CodingKeys: String, CodingKey { case type, name, description, inputSchema = "input_schema" }
    }

    /// `tool_choice`: `{"type": "auto" | "any" | "tool" | "none", "name": …, "disable_parallel_tool_use": …}`.
    struct ToolSelection: Decodable, Sendable {
        var choice: ToolChoice
        var disableParallelToolUse: Bool?

        enum CodingKeys: String, CodingKey { case type, name, disableParallelToolUse = "disable_parallel_tool_use" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "auto": choice = .auto
            case "any": choice = .required
            case "none": choice = .none
            case "tool": choice = .function(try container.decode(String.self, forKey: .name))
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [NameKey("type")],
                                                        debugDescription: "'\(type)' is not a tool choice; use auto, any, tool or none"))
            }
            disableParallelToolUse = try container.decodeIfPresent(Bool.self, forKey: .disableParallelToolUse)
        }
    }

    /// `thinking`: `{"type": "enabled", "budget_tokens": …}` or `{"type": "disabled"}` (`adaptive` counts as enabled).
    struct Thinking: Decodable, Sendable {
        var enabled: Bool

        enum CodingKeys: String, CodingKey { case type, budgetTokens = "budget_tokens" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            _ = try container.decodeIfPresent(Int.self, forKey: .budgetTokens)
            switch type {
            case "enabled", "adaptive": enabled = true
            case "disabled": enabled = false
            default:
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [NameKey("type")],
                                                        debugDescription: "'\(type)' is not a thinking mode; use enabled or disabled"))
            }
        }
    }
}
