import Hummingbird
import Kinglet

/// `POST /tokenize` and `POST /detokenize`, as llama.cpp's server has them.
struct TokenizeRoute: Sendable {
    let served: ServedModel
    let maxBodyBytes: Int

    func tokenize(_ request: Request) async throws -> Response {
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let input = try RequestDecoding.decode(TokenizeRequest.self, from: body)
        let tokens = served.model.tokenizer.encode(input.content, addBOS: input.addSpecial == true ? nil : false,
                                                   parseSpecial: input.parseSpecial ?? true)
        return try jsonResponse(TokenizeResponse(tokens: tokens))
    }

    func detokenize(_ request: Request) async throws -> Response {
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let input = try RequestDecoding.decode(DetokenizeRequest.self, from: body)
        try served.checkTokens(input.tokens, param: "tokens")
        return try jsonResponse(DetokenizeResponse(content: served.model.tokenizer.decode(input.tokens)))
    }
}
