import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A failure in the shape of Anthropic's API: `{"type": "error", "error": {"type": …, "message": …}}`.
///
/// Routes throw `OpenAIError` whichever API they serve; under `/v1/messages` the error middleware renders
/// it in this shape with the same status and headers. Anthropic's SDK picks its exception by the status
/// (400 `BadRequestError`, 401 `AuthenticationError`, 404 `NotFoundError`, …).
struct AnthropicError: Encodable, Sendable {
    struct Detail: Encodable, Sendable {
        var type: String
        var message: String
    }

    var type = "error"
    var error: Detail

    init(_ error: OpenAIError) {
        self.error = Detail(type: Self.errorType(error.status), message: error.message)
    }

    /// Anthropic's error type for a status (docs.anthropic.com/en/api/errors).
    static func errorType(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 503, 529: "overloaded_error"
        case 500...: "api_error"
        default: "invalid_request_error"
        }
    }

    /// `error` as a response in this shape, with its status and headers (`Retry-After`, `Allow`, …).
    static func response(_ error: OpenAIError) -> Response {
        var headers = error.headers
        headers[.contentType] = "application/json"
        let body = (try? JSONEncoder.openAI.encode(AnthropicError(error))) ?? Data(#"{"type":"error","error":{"type":"api_error","message":"internal error"}}"#.utf8)
        return Response(status: error.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
