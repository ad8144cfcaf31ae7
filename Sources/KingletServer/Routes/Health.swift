import Hummingbird
import Kinglet

/// `GET /health`: `{"status": "ok"}` once the model is loaded, with the slot and batch counts.
struct HealthRoute: Sendable {
    let admission: AdmissionQueue
    let scheduler: BatchScheduler

    func respond() throws -> Response {
        let counts = admission.counts
        let batch = scheduler.statistics
        return try jsonResponse(HealthResponse(slotsProcessing: counts.active, queued: counts.waiting,
                                               cancelledGenerations: counts.cancelled,
                                               sequencesBusy: batch.busySequences,
                                               cachedPositions: batch.cachedPositions, cachePositions: batch.cachePositions))
    }
}

/// The body of `GET /health` (llama.cpp-style slot counts).
struct HealthResponse: Encodable, Sendable {
    var status = "ok"
    /// Requests generating now.
    var slotsProcessing: Int
    /// Requests waiting for a slot.
    var queued: Int
    /// Generations a client abandoned mid-stream since start.
    var cancelledGenerations: Int
    /// Sequences of the batch evaluating a prompt or decoding.
    var sequencesBusy: Int
    /// Positions whose keys and values are cached (kept for prefix reuse after a request ends), of all there are.
    var cachedPositions: Int
    var cachePositions: Int

    enum CodingKeys: String, CodingKey {
        case status, slotsProcessing = "slots_processing", queued, cancelledGenerations = "cancelled_generations"
        case sequencesBusy = "sequences_busy", cachedPositions = "kv_cache_used_positions", cachePositions = "kv_cache_positions"
    }
}
