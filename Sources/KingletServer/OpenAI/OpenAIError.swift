import Foundation
import HTTPTypes
import Hummingbird

/// Every failure the server reports, rendered in OpenAI's shape:
/// `{"error": {"message": …, "type": …, "param": …, "code": …}}` with its HTTP status.
///
/// The official clients turn the status into their exception types (400 `BadRequestError`,
/// 401 `AuthenticationError`, 404 `NotFoundError`, …), so the status is the contract.
public struct OpenAIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// OpenAI's error `type`: `invalid_request_error`, `authentication_error`, `server_error`, ….
    public let type: String
    /// The request field at fault, as a path (`messages[0].content`), when there is one.
    public let param: String?
    public let code: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON body.
    var body: Data {
        let wire = Wire(error: .init(message: message, type: type, param: param, code: code))
        return (try? JSONEncoder.openAI.encode(wire)) ?? Data(#"{"error":{"message":"internal error"}}"#.utf8)
    }

    private struct Wire: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let param: String?
            let code: String?

            // OpenAI writes `param` and `code` as null rather than leaving them out.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(message, forKey: .message)
                try container.encode(type, forKey: .type)
                try container.encode(param, forKey: .param)
                try container.encode(code, forKey: .code)
            }

            enum CodingKeys: String, CodingKey { case message, type, param, code }
        }
        let error: Detail
    }
}

extension OpenAIError {
    static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(.badRequest, message, param: param, code: code)
    }

    static func notFound(_ message: String, code: String? = nil) -> OpenAIError {
        OpenAIError(.notFound, message, code: code)
    }

    static func unauthorized(_ message: String) -> OpenAIError {
        var error = OpenAIError(.unauthorized, message, type: "authentication_error", code: "invalid_api_key")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, path: String, allowed: [HTTPRequest.Method]) -> OpenAIError {
        var error = OpenAIError(.methodNotAllowed, "\(method) is not allowed on \(path); use \(allowed.map(\.rawValue).joined(separator: ", "))",
                                code: "method_not_allowed")
        error.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return error
    }

    static func tooLarge(limit: Int) -> OpenAIError {
        OpenAIError(.contentTooLarge, "the request body is larger than \(limit) bytes (the server's --max-body-bytes)",
                    code: "request_too_large")
    }

    static func busy(retryAfter seconds: Int) -> OpenAIError {
        var error = OpenAIError(.serviceUnavailable, "the server is busy: every slot is generating and the queue is full; retry later",
                                type: "server_error", code: "server_busy")
        error.headers[.retryAfter] = String(seconds)
        return error
    }

    static let loading: OpenAIError = {
        var error = OpenAIError(.serviceUnavailable, "the model is still loading; retry in a moment",
                                type: "unavailable_error", code: "model_loading")
        error.headers[.retryAfter] = "1"
        return error
    }()

    static func server(_ message: String) -> OpenAIError {
        OpenAIError(.internalServerError, message, type: "server_error")
    }
}
