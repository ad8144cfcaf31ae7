import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Templates

extension JSONEncoder {
    /// Compact JSON with sorted keys (stable output; Foundation cannot keep declaration order).
    static var openAI: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }
}

/// Reads a request body and decodes it, turning every failure into a 400 that names the field.
enum RequestDecoding {
    /// The body's bytes, at most `limit` of them (413 beyond).
    static func collect(_ request: Request, limit: Int) async throws(OpenAIError) -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw .tooLarge(limit: limit) }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: limit)
        } catch {
            throw .badRequest("could not read the request body: \(error)")
        }
    }

    /// Decodes `data` as `T`; malformed JSON, invalid UTF-8 and wrong field types become 400s naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(OpenAIError) -> T {
        guard String(validating: data, as: UTF8.self) != nil else {
            throw .badRequest("the request body is not valid UTF-8", code: "invalid_json")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Foundation says only "not valid JSON"; the template parser says where.
            do { _ = try TemplateValue.parseJSON(String(decoding: data, as: UTF8.self)) } catch {
                throw .badRequest("the request body is not valid JSON: \(error)", code: "invalid_json")
            }
            // Valid JSON that Foundation still calls invalid, naming no field: on Linux, a fraction or an
            // out-of-range number where an integer belongs (`"n": 1.5`).
            throw .badRequest("the request body cannot be decoded: most likely a number does not fit its field (a fraction or an out-of-range number where an integer is expected)",
                              code: "invalid_type")
        } catch let error as DecodingError {
            throw describe(error)
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw .badRequest("invalid request: \(error)")
        }
    }

    /// `messages[0].content` for a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue { path += "[\(index)]" } else { path += path.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return path
    }

    static func describe(_ error: DecodingError) -> OpenAIError {
        switch error {
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .badRequest("the request body must be a JSON object", code: "invalid_type")
        case .typeMismatch(let expected, let context):
            let field = path(context.codingPath)
            let wanted = expected == Any.self ? context.debugDescription : typeName(expected)
            return .badRequest("'\(field)' has the wrong type: expected \(wanted)", param: field, code: "invalid_type")
        case .valueNotFound(let expected, let context):
            let field = path(context.codingPath)
            return .badRequest("'\(field)' must not be null: expected \(typeName(expected))", param: field, code: "invalid_type")
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .badRequest("missing required field '\(field)'", param: field, code: "missing_field")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("the request body is not valid JSON", code: "invalid_json")
            }
            let field = path(context.codingPath)
            return .badRequest("'\(field)' is invalid: \(context.debugDescription)", param: field, code: "invalid_value")
        @unknown default:
            return .badRequest("invalid request: \(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            return String(describing: type).hasPrefix("Array<") ? "an array" : "an object"
        }
    }
}

extension DecodingError {
    /// A field of several accepted shapes held none of them; `expected` says which ("a string or an array of strings").
    static func wrongType(_ decoder: any Decoder, expected: String) -> DecodingError {
        .typeMismatch(Any.self, .init(codingPath: decoder.codingPath, debugDescription: expected))
    }
}

extension RequestDecoding {
    /// The body as an ordered JSON tree (object keys in document order), for what passes through to
    /// the chat template or the grammar compiler unchanged: messages, JSON schemas.
    static func tree(_ data: Data) throws(OpenAIError) -> TemplateValue {
        do {
            return try TemplateValue.parseJSON(String(decoding: data, as: UTF8.self))
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error)", code: "invalid_json")
        }
    }
}

extension TemplateValue {
    /// The member `key` of an object, nil otherwise.
    subscript(member key: String) -> TemplateValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}
