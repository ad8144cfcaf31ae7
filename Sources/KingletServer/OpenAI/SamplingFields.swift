/// The sampling and stopping fields `/v1/chat/completions` and `/v1/completions` share,
/// with llama.cpp's server extensions (`top_k`, `min_p`, `repeat_penalty`).
///
/// Decoded from the same JSON object as the request that holds it.
struct SamplingFields: Decodable, Sendable {
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var repeatPenalty: Double?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    /// Token ids (as strings, OpenAI's shape) to a bias added to their logits.
    var logitBias: [String: Double]?
    var seed: Int64?
    var stop: StopField?

    enum CodingKeys: String, CodingKey {
        case temperature, seed, stop
        case topP = "top_p", topK = "top_k", minP = "min_p", repeatPenalty = "repeat_penalty"
        case presencePenalty = "presence_penalty", frequencyPenalty = "frequency_penalty", logitBias = "logit_bias"
    }
}

/// `stop`: one string or an array of strings.
struct StopField: Decodable, Sendable {
    var sequences: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { sequences = [] }
        else if let one = try? container.decode(String.self) { sequences = [one] }
        else if let many = try? container.decode([String].self) { sequences = many }
        else { throw DecodingError.wrongType(decoder, expected: "a string or an array of strings") }
    }
}

/// `stream_options`.
struct StreamOptions: Decodable, Sendable {
    /// Send a last chunk with the request's token counts before `[DONE]`.
    var includeUsage: Bool?

    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

extension StopField {
    init(sequences: [String]) {
        self.sequences = sequences
    }
}
