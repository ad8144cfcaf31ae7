import Kinglet
import Prometheus
import Synchronization

/// swift-prometheus's descriptor of a metric named in full (no namespace or unit parts to join).
private func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
}

/// The server's Prometheus metrics (`GET /metrics` with `kinglet serve --metrics`).
///
/// Each server owns its own registry rather than bootstrapping swift-metrics' global `MetricsSystem`,
/// which can be set once per process: tests start several servers, and nothing else here reports through it.
final class ServerMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let promptTokens: Counter
    private let cachedPromptTokens: Counter
    private let generatedTokens: Counter
    private let timeToFirstToken: ValueHistogram
    private let decodeSpeed: ValueHistogram
    private let queued: Gauge
    private let busySlots: Gauge
    private let busySequences: Gauge
    private let kvCacheUsedTokens: Gauge
    private let kvCacheUsage: Gauge

    init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        promptTokens = registry.makeCounter(descriptor: metric("kinglet_prompt_tokens_total", "Prompt tokens of finished generations (once per request, as usage counts them)."))
        cachedPromptTokens = registry.makeCounter(descriptor: metric("kinglet_prompt_tokens_cached_total", "Prompt tokens served from the prefix cache instead of evaluated."))
        generatedTokens = registry.makeCounter(descriptor: metric("kinglet_generated_tokens_total", "Tokens generated, every choice counted."))
        timeToFirstToken = registry.makeValueHistogram(
            descriptor: metric("kinglet_time_to_first_token_seconds",
                               "From a request's arrival (queueing included) to its first generated token."),
            buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        decodeSpeed = registry.makeValueHistogram(
            descriptor: metric("kinglet_decode_tokens_per_second",
                               "Decode speed of each finished generation that decoded at least one step."),
            buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        queued = registry.makeGauge(descriptor: metric("kinglet_queue_length", "Requests waiting for a slot."))
        busySlots = registry.makeGauge(descriptor: metric("kinglet_busy_slots", "Slots generating now."))
        busySequences = registry.makeGauge(descriptor: metric("kinglet_batch_sequences_busy", "Sequences of the batch evaluating a prompt or decoding."))
        kvCacheUsedTokens = registry.makeGauge(descriptor: metric("kinglet_kv_cache_used_tokens", "KV-cache cells in use (finished sequences' kept for prefix reuse included)."))
        kvCacheUsage = registry.makeGauge(descriptor: metric("kinglet_kv_cache_usage_ratio", "KV-cache cells in use, as a fraction of its capacity."))
    }

    /// Counts one answered request under its route (`other` for paths the server lacks, so random paths make no new series).
    func recordRequest(route: String, status: Int) {
        registry.makeCounter(descriptor: metric("kinglet_requests_total", "HTTP requests answered, by route and status."),
                             labels: [("route", route), ("status", String(status))]).increment()
    }

    /// The slot counts, read when scraped.
    func setAdmission(active: Int, waiting: Int) {
        busySlots.set(Double(active))
        queued.set(Double(waiting))
    }

    /// The batch's busy sequences and the KV cache's fill, as the scheduler last saw them.
    func setBatch(_ batch: BatchScheduler.Statistics) {
        busySequences.set(Double(batch.busySequences))
        kvCacheUsedTokens.set(Double(batch.cachedPositions))
        kvCacheUsage.set(batch.cachePositions > 0 ? Double(batch.cachedPositions) / Double(batch.cachePositions) : 0)
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> String {
        registry.emitToString()
    }

    fileprivate func recordFirstToken(after seconds: Double) {
        timeToFirstToken.record(seconds)
    }

    fileprivate func record(_ summary: GenerationSummary, countingPrompt: Bool) {
        if countingPrompt {
            promptTokens.increment(by: Int64(summary.promptTokens))
            cachedPromptTokens.increment(by: Int64(summary.cachedPromptTokens))
        }
        generatedTokens.increment(by: Int64(summary.generatedTokens))
        if summary.decodeSteps > 0 { decodeSpeed.record(summary.decodeTokensPerSecond) }
    }
}

/// Follows one request's generations (its choices) into the metrics: the time from its arrival to its
/// first token, and each finished generation's counts, the prompt counted once per request as in `usage`.
final class RequestMeter: Sendable {
    private let metrics: ServerMetrics
    private let arrival = ContinuousClock.now
    private let state = Mutex((sawToken: false, sawSummary: false))

    /// Starts the clock: make it when the request arrives.
    init(_ metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// `events`, unchanged, recorded as they pass.
    func observe<Events: AsyncSequence>(_ events: Events) -> AsyncMapSequence<Events, GenerationEvent>
    where Events.Element == GenerationEvent {
        events.map { event in
            self.record(event)
            return event
        }
    }

    private func record(_ event: GenerationEvent) {
        switch event {
        case .token:
            let first = state.withLock { state in
                defer { state.sawToken = true }
                return !state.sawToken
            }
            if first {
                metrics.recordFirstToken(after: (ContinuousClock.now - arrival) / .seconds(1))
            }
        case .text:
            break
        case .done(let summary):
            let first = state.withLock { state in
                defer { state.sawSummary = true }
                return !state.sawSummary
            }
            metrics.record(summary, countingPrompt: first)
        }
    }
}
