/// The body of `POST /v1/completions` (legacy text completion).
struct CompletionRequest: Decodable, Sendable {
    var model: String?
    var prompt: PromptInput
    var stream: Bool?
    var streamOptions: StreamOptions?
    var maxTokens: Int?
    var n: Int?
    /// Send the prompt back before the completion.
    var echo: Bool?
    /// The number of most likely alternatives to report per token (the legacy API's integer `logprobs`).
    var logprobs: Int?
    var sampling: SamplingFields

    enum CodingKeys: String, CodingKey {
        case model, prompt, stream, n, echo, logprobs
        case streamOptions = "stream_options", maxTokens = "max_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        prompt = try container.decode(PromptInput.self, forKey: .prompt)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
        echo = try container.decodeIfPresent(Bool.self, forKey: .echo)
        logprobs = try container.decodeIfPresent(Int.self, forKey: .logprobs)
        sampling = try SamplingFields(from: decoder)
    }
}

/// A completion `prompt`: text, token ids, or a one-element array of either.
enum PromptInput: Decodable, Sendable {
    case text(String)
    case tokens([Int32])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .text(text) }
        else if let tokens = try? container.decode([Int32].self) { self = .tokens(tokens) }
        else if let texts = try? container.decode([String].self), texts.count == 1 { self = .text(texts[0]) }
        else if let batches = try? container.decode([[Int32]].self), batches.count == 1 { self = .tokens(batches[0]) }
        else {
            throw DecodingError.wrongType(decoder, expected: "a string or an array of token ids (one prompt per request)")
        }
    }
}
