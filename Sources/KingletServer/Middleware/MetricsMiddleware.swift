import HTTPTypes
import Hummingbird

/// Counts every answered request by route and status; the outermost middleware, so it sees the
/// status the client gets (errors already rendered by `OpenAIErrorMiddleware`).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    /// The server's paths; any other is counted as `other`.
    let paths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = paths.contains(request.uri.path) ? request.uri.path : "other"
        do {
            let response = try await next(request, context)
            metrics.recordRequest(route: route, status: response.status.code)
            return response
        } catch {
            metrics.recordRequest(route: route, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }
}
