import HTTPTypes
import Hummingbird

/// Renders every failure in OpenAI's error shape (Anthropic's under `/v1/messages`): the routes'
/// `OpenAIError`s, the router's 404 (a 405 with `Allow` when the path exists under another method)
/// and anything unexpected (500).
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods each path answers to.
    let routes: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return try render(error, request, context)
        } catch let error as any HTTPResponseError {
            let path = request.uri.path
            if error.status == .notFound {
                if let allowed = routes[path] {
                    return try render(.methodNotAllowed(request.method, path: path, allowed: allowed), request, context)
                }
                return try render(.notFound("there is no route \(request.method) \(path)", code: "unknown_route"), request, context)
            }
            let status = error.status
            return try render(OpenAIError(status, status.reasonPhrase, type: status.code >= 500 ? "server_error" : "invalid_request_error"),
                              request, context)
        } catch {
            serverLog("\(request.method) \(request.uri.path): unexpected error: \(error)")
            return try render(.server("internal error: \(error)"), request, context)
        }
    }

    private func render(_ error: OpenAIError, _ request: Request, _ context: Context) throws -> Response {
        guard request.uri.path.hasPrefix(MessagesRoute.path) else { return try error.response(from: request, context: context) }
        return AnthropicError.response(error)
    }
}

/// Refuses requests without `Authorization: Bearer <key>` or, as Anthropic's clients send it,
/// `x-api-key: <key>` (401); `/health` stays open.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/health" else { return try await next(request, context) }
        let given: String
        if let header = request.headers[.authorization] {
            given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        } else if let header = request.headers[.xAPIKey] {
            given = header
        } else {
            throw OpenAIError.unauthorized("no API key: send the header 'Authorization: Bearer <key>' or 'x-api-key: <key>'")
        }
        guard constantTimeEqual(Array(given.utf8), Array(key.utf8)) else {
            throw OpenAIError.unauthorized("the API key is not valid")
        }
        return try await next(request, context)
    }

    /// Equality whose time does not depend on where the first difference is.
    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

extension HTTPField.Name {
    /// Where Anthropic's clients send the API key.
    static let xAPIKey = HTTPField.Name("x-api-key")!
}
