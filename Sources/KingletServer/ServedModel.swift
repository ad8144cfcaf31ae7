import Foundation
import Kinglet

/// The loaded model as the API presents it: its id, and the checks every request shares.
public struct ServedModel: Sendable {
    public let model: LanguageModel
    /// Runs every request's generation, up to `parallel` of them batched together.
    public let scheduler: BatchScheduler
    /// The id in `/v1/models` and in responses: the store name, or the file name.
    public let id: String
    /// When the server loaded it (Unix seconds), as `/v1/models` reports.
    let created: Int
    /// Changes when the model file or the engine changes; seeds reproduce only under the same one.
    let fingerprint: String

    /// - Parameters:
    ///   - name: how the model was asked for (`qwen2.5-coder:0.5b` or a path).
    ///   - parallel: sequences that decode together, each with the model's whole context.
    public init(_ model: LanguageModel, name: String, parallel: Int = 1) {
        self.model = model
        scheduler = BatchScheduler(model: model, sequences: parallel)
        let fileName = URL(fileURLWithPath: model.path).lastPathComponent
        // A store model keeps its store name however it was given (name or path).
        id = ModelStore.catalog.first { $0.name == name || $0.fileName == fileName }?.name ?? fileName
        created = Int(Date().timeIntervalSince1970)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a of the file name and context length
        for byte in "\(fileName):\(model.contextLength)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        fingerprint = "fp_kinglet_" + String(hash, radix: 16)
    }

    /// Generates after `prompt` as one sequence of the scheduler's batch; every route's generation goes through here.
    func generate(prompt: [Int32], parameters: GenerationParameters) -> AsyncThrowingStream<GenerationEvent, any Error> {
        scheduler.generate(prompt: prompt, parameters: parameters)
    }

    /// The model's chat format; a model without one (a base model) or whose template does not parse fails the request.
    func chatFormat() throws(OpenAIError) -> ChatFormat {
        do { return try model.chatFormat() } catch { throw OpenAIError(error, param: "messages") }
    }

    /// Accepts the loaded model's id (or its file name or path), or no model at all.
    /// - Throws: 404 `model_not_found` for any other name.
    func check(requested: String?) throws(OpenAIError) {
        guard let requested, !requested.isEmpty else { return }
        let fileName = URL(fileURLWithPath: model.path).lastPathComponent
        let accepted = [id, fileName, String(fileName.dropLast(fileName.hasSuffix(".gguf") ? 5 : 0)), model.path]
        guard accepted.contains(requested) else {
            throw OpenAIError(.notFound, "the model '\(requested)' does not exist on this server; it serves '\(id)'",
                              param: "model", code: "model_not_found")
        }
    }

    /// Throws 400 `context_length_exceeded`, naming both numbers, when `prompt` does not fit the context.
    func checkFits(_ prompt: [Int32], param: String) throws(OpenAIError) {
        if prompt.isEmpty { throw .badRequest("the prompt is empty", param: param) }
        guard prompt.count <= model.contextLength else {
            throw OpenAIError(.badRequest,
                              "the prompt is \(prompt.count) tokens but the context holds \(model.contextLength); shorten it or start the server with a larger --context",
                              param: param, code: "context_length_exceeded")
        }
    }

    /// `tokens`, checked to be ids of the vocabulary.
    func checkTokens(_ tokens: [Int32], param: String) throws(OpenAIError) {
        let size = model.tokenizer.vocabularySize
        if let bad = tokens.firstIndex(where: { $0 < 0 || Int($0) >= size }) {
            throw .badRequest("'\(param)[\(bad)]' is \(tokens[bad]), not a token id (the vocabulary has \(size))",
                              param: "\(param)[\(bad)]", code: "invalid_value")
        }
    }
}

extension OpenAIError {
    /// A library error as the client should see it: bad input is a 400, the rest a 500.
    init(_ error: KingletError, param: String? = nil) {
        switch error {
        case .promptTooLong, .emptyPrompt:
            self.init(.badRequest, error.description, param: param, code: "context_length_exceeded")
        case .template(let detail):
            self.init(.badRequest, "the conversation cannot be rendered with the model's chat template: \(detail)", param: param)
        case .grammar(let detail):
            self.init(.badRequest, "the output constraint is not supported: \(detail)", param: param)
        case .noChatTemplate:
            self.init(.badRequest, "the model has no chat template (a base model?); use /v1/completions with a plain prompt",
                      param: param, code: "model_not_chat")
        case .noTokenizer:
            self.init(.badRequest, "the model has no tokenizer, so it takes token ids only: give the prompt as an array of token ids",
                      param: param, code: "no_tokenizer")
        case .model(.tokenOutOfRange):
            self.init(.badRequest, error.description, param: param, code: "invalid_value")
        default:
            self.init(.internalServerError, error.description, type: "server_error")
        }
    }

    /// Any error of a generation stream as the client should see it.
    static func from(_ error: any Error) -> OpenAIError {
        if let error = error as? OpenAIError { return error }
        if let error = error as? KingletError { return OpenAIError(error) }
        return .server("\(error)")
    }
}
