import Hummingbird

/// `GET /health`: `{"status": "ok"}` once the model is loaded, with the slot counts.
struct HealthRoute: Sendable {
    let admission: AdmissionQueue

    func respond() throws -> Response {
        let counts = admission.counts
        return try jsonResponse(HealthResponse(slotsProcessing: counts.active, queued: counts.waiting,
                                               cancelledGenerations: counts.cancelled))
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

    enum CodingKeys: String, CodingKey {
        case status, slotsProcessing = "slots_processing", queued, cancelledGenerations = "cancelled_generations"
    }
}
