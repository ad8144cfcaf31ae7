import Kinglet
import Tokenizers

/// A chat choice's `logprobs`: `{"content": [{token, logprob, bytes, top_logprobs}]}`.
struct ChatLogprobs: Encodable, Sendable {
    struct Alternative: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
    }

    struct Entry: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
        var topLogprobs: [Alternative]
        enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
    }

    var content: [Entry]

    init(_ tokens: [GeneratedToken], tokenizer: Tokenizer) {
        content = tokens.map { token in
            let bytes = tokenizer.bytes(of: token.id)
            return Entry(
                token: String(decoding: bytes, as: UTF8.self), logprob: wireLogprob(token.logprob), bytes: bytes,
                topLogprobs: token.topLogprobs.map { alternative in
                    let bytes = tokenizer.bytes(of: alternative.id)
                    return Alternative(token: String(decoding: bytes, as: UTF8.self),
                                       logprob: wireLogprob(alternative.logprob), bytes: bytes)
                })
        }
    }
}

/// A legacy completion choice's `logprobs`: parallel arrays, `top_logprobs` as token → logprob maps.
struct CompletionLogprobs: Encodable, Sendable {
    var tokens: [String]
    var tokenLogprobs: [Double]
    var topLogprobs: [[String: Double]]
    var textOffset: [Int]

    enum CodingKeys: String, CodingKey {
        case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
    }

    /// `offset`: where the first token's text starts in the choice's `text` (after an echoed prompt).
    init(_ generated: [GeneratedToken], tokenizer: Tokenizer, offset: Int) {
        var position = offset
        tokens = []; tokenLogprobs = []; topLogprobs = []; textOffset = []
        for token in generated {
            let text = String(decoding: tokenizer.bytes(of: token.id), as: UTF8.self)
            tokens.append(text)
            tokenLogprobs.append(wireLogprob(token.logprob))
            var top: [String: Double] = [:]
            for alternative in token.topLogprobs {
                let piece = String(decoding: tokenizer.bytes(of: alternative.id), as: UTF8.self)
                top[piece] = max(top[piece] ?? -.infinity, wireLogprob(alternative.logprob))
            }
            topLogprobs.append(top)
            textOffset.append(position)
            position += token.text.count
        }
    }
}

/// JSON has no infinities: a token the sampler could never pick is reported as -9999, as OpenAI does.
func wireLogprob(_ value: Float?) -> Double {
    guard let value, value.isFinite else { return -9999 }
    return Double(value)
}
