import HTTPTypes
import Hummingbird

/// Renders every failure in OpenAI's error shape: the routes' `OpenAIError`s, the router's
/// 404 (a 405 with `Allow` when the path exists under another method) and anything unexpected (500).
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods each path answers to.
    let routes: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let path = request.uri.path
            if error.status == .notFound {
                if let allowed = routes[path] {
                    return try OpenAIError.methodNotAllowed(request.method, path: path, allowed: allowed).response(from: request, context: context)
                }
                return try OpenAIError.notFound("there is no route \(request.method) \(path)", code: "unknown_route")
                    .response(from: request, context: context)
            }
            let status = error.status
            return try OpenAIError(status, status.reasonPhrase, type: status.code >= 500 ? "server_error" : "invalid_request_error")
                .response(from: request, context: context)
        } catch {
            serverLog("\(request.method) \(request.uri.path): unexpected error: \(error)")
            return try OpenAIError.server("internal error: \(error)").response(from: request, context: context)
        }
    }
}

/// Refuses requests without `Authorization: Bearer <key>` (401); `/health` stays open.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path != "/health" else { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw OpenAIError.unauthorized("no API key: send the header 'Authorization: Bearer <key>'")
        }
        let given = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
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
