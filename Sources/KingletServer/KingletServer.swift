import Foundation
import HTTPTypes
import Hummingbird
import Kinglet
import Logging
import NIOCore
import Synchronization

/// An OpenAI-compatible HTTP server for one loaded model (`kinglet serve`), which also speaks
/// Anthropic's Messages API (`/v1/messages`).
///
/// ```swift
/// let server = KingletServer(configuration: .init(port: 8080, parallel: 4)) {
///     ServedModel(try LanguageModel("qwen2.5-coder:0.5b"), name: "qwen2.5-coder:0.5b", parallel: 4)
/// }
/// try await server.run { host, port in print("listening on http://\(host):\(port)") }
/// ```
///
/// The server listens before the model is loaded: until it is, `/health` and every route that needs
/// the model answer 503 with `Retry-After` (as llama.cpp's server does), so a load balancer can wait.
/// Up to `parallel` requests generate at once, their sequences decoding together in one batched
/// forward pass per step (`BatchScheduler`); up to `queueLimit` more wait their turn.
public struct KingletServer: Sendable {
    public let configuration: ServerConfiguration
    let admission: AdmissionQueue
    let metrics = ServerMetrics()
    private let load: @Sendable () throws -> ServedModel
    private let gate = ModelGate()

    /// A server that loads its model with `load` once it listens.
    public init(configuration: ServerConfiguration, loading load: @escaping @Sendable () throws -> ServedModel) {
        self.configuration = configuration
        self.load = load
        admission = AdmissionQueue(parallel: configuration.parallel, queueLimit: configuration.queueLimit)
    }

    /// A server for a model already loaded.
    public init(_ served: ServedModel, configuration: ServerConfiguration) {
        self.init(configuration: configuration) { served }
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
        router.get("/health") { _, _ in try gate.routes().health.respond() }
        router.get("/v1/models") { _, _ in try gate.routes().models.respond() }
        router.post("/v1/chat/completions") { request, context in try await gate.routes().chat.respond(to: request, channel: context.channel) }
        router.post("/v1/completions") { request, context in try await gate.routes().completions.respond(to: request, channel: context.channel) }
        router.post("/v1/messages") { request, context in try await gate.routes().messages.respond(to: request, channel: context.channel) }
        router.post("/v1/messages/count_tokens") { request, _ in try await gate.routes().messages.countTokens(request) }
        router.post("/tokenize") { request, _ in try await gate.routes().tokenize.tokenize(request) }
        router.post("/detokenize") { request, _ in try await gate.routes().tokenize.detokenize(request) }
        router.get("/openapi.json") { _, _ in OpenAPIRoute.respond() }
        if configuration.metrics {
            router.get("/metrics") { _, _ in try gate.routes().metrics.respond() }
        }
        return router
    }

    /// The routes that answer with the loaded model.
    private func routes(for served: ServedModel) -> ModelGate.Routes {
        let limit = configuration.maxBodyBytes
        return ModelGate.Routes(
            chat: ChatCompletionsRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit),
            completions: CompletionsRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit),
            messages: MessagesRoute(served: served, admission: admission, metrics: metrics, maxBodyBytes: limit),
            tokenize: TokenizeRoute(served: served, maxBodyBytes: limit),
            models: ModelsRoute(served: served),
            health: HealthRoute(admission: admission, scheduler: served.scheduler),
            metrics: MetricsRoute(metrics: metrics, admission: admission, scheduler: served.scheduler))
    }

    /// Listens, then loads the model, and serves until SIGINT or SIGTERM.
    /// - Parameters:
    ///   - onListening: called with the bound host and port once the socket listens (the real port when 0 was asked for).
    ///   - onLoaded: called once the model is loaded and every route answers.
    /// - Throws: the load's error (after closing the socket) when the model cannot be loaded.
    public func run(onListening: @escaping @Sendable (String, Int) -> Void,
                    onLoaded: @escaping @Sendable (ServedModel) -> Void = { _ in }) async throws {
        var logger = Logger(label: "kinglet.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let host = configuration.host
        let (listening, listened) = AsyncStream.makeStream(of: Void.self)
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "kinglet"),
            onServerRunning: { channel in
                onListening(host, channel.localAddress?.port ?? 0)
                listened.finish()
            },
            logger: logger)
        enum Finished { case serving, loading }
        try await withThrowingTaskGroup(of: Finished.self) { group in
            group.addTask {
                try await app.runService()
                return .serving
            }
            group.addTask {
                for await _ in listening {}
                // Loading maps the file and builds the model: blocking work, on a thread of its own.
                let served = try await withCheckedThrowingContinuation { continuation in
                    Thread { continuation.resume(with: Result { try load() }) }.start()
                }
                gate.open(routes(for: served))
                onLoaded(served)
                return .loading
            }
            // A failed load throws here, which cancels the server; a stopped server ends the run.
            while let finished = try await group.next() {
                if finished == .serving { group.cancelAll() }
            }
        }
    }
}

/// The routes that need the model, once it is loaded; until then they answer 503 (`OpenAIError.loading`).
final class ModelGate: Sendable {
    struct Routes: Sendable {
        let chat: ChatCompletionsRoute
        let completions: CompletionsRoute
        let messages: MessagesRoute
        let tokenize: TokenizeRoute
        let models: ModelsRoute
        let health: HealthRoute
        let metrics: MetricsRoute
    }

    private let loaded = Mutex<Routes?>(nil)

    func open(_ routes: Routes) {
        loaded.withLock { $0 = routes }
    }

    func routes() throws(OpenAIError) -> Routes {
        guard let routes = loaded.withLock({ $0 }) else { throw .loading }
        return routes
    }
}
