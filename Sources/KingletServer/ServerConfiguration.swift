/// How `kinglet serve` listens and how much it accepts.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported through `onListening`.
    public var port: Int
    /// Requests that generate at once.
    public var parallel: Int
    /// Requests that may wait for a slot; more are refused with 503.
    public var queueLimit: Int
    /// Requests must carry `Authorization: Bearer <apiKey>` when set.
    public var apiKey: String?
    /// Larger request bodies are refused with 413.
    public var maxBodyBytes: Int
    /// Serve Prometheus metrics at `GET /metrics`.
    public var metrics: Bool
    /// The origin browsers may call the API from (`https://app.example.com`, or `*` for any); nil for none.
    public var corsOrigin: String?

    public init(host: String = "127.0.0.1", port: Int = 8080, parallel: Int = 4, queueLimit: Int? = nil,
                apiKey: String? = nil, maxBodyBytes: Int = 8 << 20, metrics: Bool = false, corsOrigin: String? = nil) {
        self.host = host
        self.port = port
        self.parallel = parallel
        self.queueLimit = queueLimit ?? 4 * parallel
        self.apiKey = apiKey
        self.maxBodyBytes = maxBodyBytes
        self.metrics = metrics
        self.corsOrigin = corsOrigin
    }
}
