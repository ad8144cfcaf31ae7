import Kinglet

/// Token counts of one request, as OpenAI reports them.
struct Usage: Encodable, Sendable {
    struct PromptTokensDetails: Encodable, Sendable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }

    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int { promptTokens + completionTokens }
    var promptTokensDetails: PromptTokensDetails

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        try container.encode(promptTokensDetails, forKey: .promptTokensDetails)
    }

    /// The counts of a request's choices: the prompt counted once, the completions summed.
    init(_ summaries: [GenerationSummary]) {
        promptTokens = summaries.first?.promptTokens ?? 0
        completionTokens = summaries.reduce(0) { $0 + $1.generatedTokens }
        promptTokensDetails = .init(cachedTokens: summaries.first?.cachedPromptTokens ?? 0)
    }
}

extension StopReason {
    /// OpenAI's `finish_reason`: a full context is `length` (the answer was cut), never a silent `stop`.
    var finishReason: String {
        switch self {
        case .stop: "stop"
        case .length, .contextFull: "length"
        case .cancelled: "cancelled"
        }
    }
}
