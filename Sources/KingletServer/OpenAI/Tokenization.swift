/// `POST /tokenize` as llama.cpp's server: `{"content": …, "add_special": false, "parse_special": true}`.
struct TokenizeRequest: Decodable, Sendable {
    var content: String
    /// Add the model's BOS token (when it uses one).
    var addSpecial: Bool?
    /// Read special-token text such as `<|im_start|>` as the special token.
    var parseSpecial: Bool?

    enum CodingKeys: String, CodingKey { case content, addSpecial = "add_special", parseSpecial = "parse_special" }
}

struct TokenizeResponse: Encodable, Sendable {
    var tokens: [Int32]
}

/// `POST /detokenize`: `{"tokens": [...]}`.
struct DetokenizeRequest: Decodable, Sendable {
    var tokens: [Int32]
}

struct DetokenizeResponse: Encodable, Sendable {
    var content: String
}

/// `GET /health`.
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
