import HTTPTypes
import Hummingbird
import Kinglet
import Logging
import NIOCore

/// An OpenAI-compatible HTTP server for one loaded model (`kinglet serve`), which also speaks
/// Anthropic's Messages API (`/v1/messages`).
///
/// ```swift
/// let model = try LanguageModel("qwen2.5-coder:0.5b")
/// let server = KingletServer(ServedModel(model, name: "qwen2.5-coder:0.5b", parallel: 4),
///                            configuration: .init(port: 8080, parallel: 4))
/// try await server.run { host, port in print("listening on http://\(host):\(port)") }
/// ```
///
/// Up to `parallel` requests generate at once, their sequences decoding together in one batched
/// forward pass per step (`BatchScheduler`); up to `queueLimit` more wait their turn.
public struct KingletServer: Sendable {
    public let served: ServedModel
    public let configuration: ServerConfiguration
    let admission: AdmissionQueue
    let metrics = ServerMetrics()

    public init(_ served: ServedModel, configuration: ServerConfiguration) {
        self.served = served
        self.configuration = configuration
        admission = AdmissionQueue(parallel: configuration.parallel, queueLimit: configuration.queueLimit)
    }

    /// The routes and the methods they answer to (405 for the others).
    static let routes: [String: [HTTPRequest.Method]] = [
        "/health": [.get], "/v1/models": [.get], "/v1/chat/completions": [.post], "/v1/completions": [.post],
        "/tokenize": [.post], "/detokenize": [.post],
        "/v1/messages": [.post], "/v1/messages/count_tokens": [.post],
    ]

    /// `routes` and the ones every server adds: its OpenAPI document, and `/metrics` when enabled.
    var servedRoutes: [String: [HTTPRequest.Method]] {
        var routes = Self.routes
        routes["/openapi.json"] = [.get]
        if configuration.metrics { routes["/metrics"] = [.get] }
        return routes
    }

    /// Headers the OpenAI and Anthropic SDKs send from a browser, which a preflight must allow.
    static let sdkHeaders = ["anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access",
                             "openai-organization", "openai-project", "x-stainless-arch", "x-stainless-lang",
                             "x-stainless-os", "x-stainless-package-version", "x-stainless-retry-count",
                             "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout"].compactMap { HTTPField.Name($0) }

    func makeRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics, paths: Set(servedRoutes.keys)))
        if let origin = configuration.corsOrigin {
            // Outside the error and key checks, so a browser's preflight (OPTIONS, no key) is answered.
            router.add(middleware: CORSMiddleware(
                allowOrigin: origin == "*" ? .all : .oneOf(origin),
                allowHeaders: [.authorization, .contentType, .accept, .xAPIKey] + Self.sdkHeaders,
                allowMethods: [.get, .post, .options]))
        }
        router.add(middleware: OpenAIErrorMiddleware(routes: servedRoutes))
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        let limit = configuration.maxBodyBytes
        let chat = ChatCompletionsRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit)
        let completions = CompletionsRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit)
        let messages = MessagesRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit)
        let tokenize = TokenizeRoute(served: served, maxBodyBytes: limit)
        let models = ModelsRoute(served: served)
        let health = HealthRoute(admission: admission, scheduler: served.scheduler)
        router.get("/health") { _, _ in try health.respond() }
        router.get("/v1/models") { _, _ in try models.respond() }
        router.post("/v1/chat/completions") { request, context in try await chat.respond(to: request, channel: context.channel) }
        router.post("/v1/completions") { request, context in try await completions.respond(to: request, channel: context.channel) }
        router.post("/v1/messages") { request, context in try await messages.respond(to: request, channel: context.channel) }
        router.post("/v1/messages/count_tokens") { request, _ in try await messages.countTokens(request) }
        router.post("/tokenize") { request, _ in try await tokenize.tokenize(request) }
        router.post("/detokenize") { request, _ in try await tokenize.detokenize(request) }
        router.get("/openapi.json") { _, _ in OpenAPIRoute.respond() }
        if configuration.metrics {
            let route = MetricsRoute(metrics: metrics, admission: admission, scheduler: served.scheduler)
            router.get("/metrics") { _, _ in route.respond() }
        }
        return router
    }

    /// Serves until SIGINT or SIGTERM.
    /// - Parameter onListening: called with the bound host and port once the socket listens (the real port when 0 was asked for).
    public func run(onListening: @escaping @Sendable (String, Int) -> Void) async throws {
        var logger = Logger(label: "kinglet.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let host = configuration.host
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "kinglet"),
            onServerRunning: { channel in onListening(host, channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService()
    }
}
