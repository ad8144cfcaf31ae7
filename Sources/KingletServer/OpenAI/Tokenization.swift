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
