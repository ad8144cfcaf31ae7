/// `tools[i]`: `{"type": "function", "function": {"name", "description", "parameters", "strict"}}`.
/// The parameters schema is read from the raw body (keys in order); here it is only checked to be an object.
struct ToolDefinition: Decodable, Sendable {
    struct Function: Decodable, Sendable {
        var name: String
        var description: String?
        var parameters: [String: JSONIgnored]?
        var strict: Bool?
    }

    var type: String
    var function: Function
}

/// `tool_choice`: `"none"`, `"auto"`, `"required"` or `{"type": "function", "function": {"name": …}}`.
enum ToolChoice: Decodable, Sendable, Equatable {
    case none, auto, required
    case function(String)

    private struct Named: Decodable {
        struct Function: Decodable { var name: String }
        var type: String
        var function: Function
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let word = try? container.decode(String.self) {
            switch word {
            case "none": self = .none
            case "auto": self = .auto
            case "required": self = .required
            default:
                throw DecodingError.dataCorrupted(.init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(word)' is not a tool choice; use none, auto, required or {\"type\": \"function\", \"function\": {\"name\": …}}"))
            }
        } else if (try? container.decode([String: JSONIgnored].self)) != nil {
            let named = try container.decode(Named.self)   // errors name the field inside
            guard named.type == "function" else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [NameKey("type")],
                                                        debugDescription: "'\(named.type)' is not a tool type; use function"))
            }
            self = .function(named.function.name)
        } else {
            throw DecodingError.wrongType(decoder, expected: "\"none\", \"auto\", \"required\" or a {\"type\": \"function\", …} object")
        }
    }
}

/// `messages[i].tool_calls[j]` of an assistant message: checked for shape, passed to the template from the raw body.
struct MessageToolCall: Decodable, Sendable {
    struct Function: Decodable, Sendable {
        var name: String
        var arguments: Arguments
    }

    /// OpenAI sends the arguments as JSON text; an object is accepted too.
    struct Arguments: Decodable, Sendable {
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            guard (try? container.decode(String.self)) != nil || (try? container.decode([String: JSONIgnored].self)) != nil else {
                throw DecodingError.wrongType(decoder, expected: "a string of JSON (or an object)")
            }
        }
    }

    var id: String?
    var type: String?
    var function: Function
}

/// An object member in a coding path.
struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
