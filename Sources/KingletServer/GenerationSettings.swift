import Kinglet

/// Turns a request's sampling fields into `GenerationParameters`, refusing out-of-range values with a 400 naming the field.
struct GenerationSettings {
    let served: ServedModel

    struct Request {
        var sampling: SamplingFields
        var maxTokens: Int?
        var maxTokensField: String
        var n: Int?
        var logprobs: Bool
        var topLogprobs: Int?
        /// The field `topLogprobs` came from, for errors: the legacy completions API calls it `logprobs`.
        var topLogprobsField = "top_logprobs"
        var grammar: Grammar?
        /// The request's name for `sampling.stop` (Anthropic's is `stop_sequences`).
        var stopField = "stop"
    }

    /// The parameters and the number of choices (`n`).
    func parameters(_ request: Request) throws(OpenAIError) -> (GenerationParameters, choices: Int) {
        let fields = request.sampling
        var sampling = SamplingParameters()
        if let value = fields.temperature {
            try check(value >= 0 && value.isFinite, "temperature", "must be a number ≥ 0")
            sampling.temperature = Float(value)
        }
        if let value = fields.topP {
            try check((0...1).contains(value), "top_p", "must be within 0…1")
            sampling.topP = Float(value)
        }
        if let value = fields.topK {
            try check(value >= 0, "top_k", "must be ≥ 0")
            sampling.topK = value
        }
        if let value = fields.minP {
            try check((0...1).contains(value), "min_p", "must be within 0…1")
            sampling.minP = Float(value)
        }
        if let value = fields.repeatPenalty {
            try check(value > 0 && value.isFinite, "repeat_penalty", "must be > 0")
            sampling.repeatPenalty = Float(value)
        }
        if let value = fields.presencePenalty {
            try check((-2...2).contains(value), "presence_penalty", "must be within -2…2")
            sampling.presencePenalty = Float(value)
        }
        if let value = fields.frequencyPenalty {
            try check((-2...2).contains(value), "frequency_penalty", "must be within -2…2")
            sampling.frequencyPenalty = Float(value)
        }
        for (key, bias) in fields.logitBias ?? [:] {
            guard let id = Int32(key), id >= 0, Int(id) < served.model.tokenizer.vocabularySize else {
                throw .badRequest("'logit_bias' key '\(key)' is not a token id of this model", param: "logit_bias", code: "invalid_value")
            }
            try check((-100...100).contains(bias), "logit_bias", "values must be within -100…100")
            sampling.logitBias[id] = Float(bias)
        }
        var parameters = GenerationParameters(sampling: sampling)
        parameters.seed = fields.seed.map { UInt64(bitPattern: $0) }
        parameters.stop = (fields.stop?.sequences ?? []).filter { !$0.isEmpty }
        try check(parameters.stop.count <= 16, request.stopField, "may hold at most 16 sequences")
        if let maxTokens = request.maxTokens {
            try check(maxTokens >= 0, request.maxTokensField, "must be ≥ 0")
            parameters.maxTokens = maxTokens
        } else {
            // Until the context is full (then finish_reason is "length").
            parameters.maxTokens = served.model.contextLength
        }
        let choices = request.n ?? 1
        try check((1...16).contains(choices), "n", "must be within 1…16")
        let top = request.topLogprobs ?? 0
        try check((0...20).contains(top), request.topLogprobsField, "must be within 0…20")
        parameters.logprobs = request.logprobs
        parameters.topLogprobs = request.logprobs ? top : 0
        parameters.grammar = request.grammar
        return (parameters, choices)
    }

    private func check(_ condition: Bool, _ field: String, _ rule: String) throws(OpenAIError) {
        if !condition { throw .badRequest("'\(field)' \(rule)", param: field, code: "invalid_value") }
    }
}

extension GenerationParameters {
    /// The parameters of choice `index` of `n`: each choice draws from its own seed so they differ.
    func forChoice(_ index: Int) -> GenerationParameters {
        var copy = self
        if index > 0, let seed { copy.seed = seed &+ UInt64(index) }
        return copy
    }
}
