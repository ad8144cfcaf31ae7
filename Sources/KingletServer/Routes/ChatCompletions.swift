import Foundation
import Hummingbird
import Kinglet
import NIOCore
import Templates

/// `POST /v1/chat/completions`: the conversation through the model's chat template, then
/// `n` choices, as one JSON body or as server-sent events (`stream: true`).
struct ChatCompletionsRoute: Sendable {
    let served: ServedModel
    let admission: AdmissionQueue
    let maxBodyBytes: Int

    func respond(to request: Request, channel: any Channel) async throws -> Response {
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let chat = try RequestDecoding.decode(ChatCompletionRequest.self, from: body)
        let tree = try RequestDecoding.tree(body)
        try served.check(requested: chat.model)
        let messages = try templateMessages(chat, tree: tree)
        let prompt: [Int32]
        do { prompt = try served.model.chatPrompt(messages: messages) } catch { throw OpenAIError(error, param: "messages") }
        try served.checkFits(prompt, param: "messages")
        let (parameters, choices) = try GenerationSettings(served: served).parameters(.init(
            sampling: chat.sampling,
            maxTokens: chat.maxCompletionTokens ?? chat.maxTokens,
            maxTokensField: chat.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens",
            n: chat.n, logprobs: chat.logprobs ?? false, topLogprobs: chat.topLogprobs,
            grammar: try grammar(chat.responseFormat, tree: tree)))

        let slot = try await admission.acquire()
        let job = Job(served: served, admission: admission, id: responseID("chatcmpl-"), created: Int(Date().timeIntervalSince1970),
                      prompt: prompt, parameters: parameters, choices: choices)
        if chat.stream == true {
            let includeUsage = chat.streamOptions?.includeUsage ?? false
            return Response(status: .ok, headers: EventStream.headers, body: ResponseBody { writer in
                defer { slot.release() }
                await job.stream(to: EventStream(writer), includeUsage: includeUsage)
            })
        }
        defer { slot.release() }
        do {
            return try jsonResponse(try await untilHangUp(channel) { try await job.complete() })
        } catch is ClientDisconnected {
            admission.recordCancellation()
            serverLog("\(job.id): the client went away before the answer was complete; generation cancelled")
            throw OpenAIError(.init(code: 499, reasonPhrase: "Client Closed Request"), "the client closed the connection")
        }
    }

    /// The messages as the chat template wants them: each original object (so fields such as
    /// `tool_calls` and `name` pass through), `developer` read as `system`, content parts joined into text.
    private func templateMessages(_ chat: ChatCompletionRequest, tree: TemplateValue) throws(OpenAIError) -> [TemplateValue] {
        guard !chat.messages.isEmpty else { throw .badRequest("'messages' must hold at least one message", param: "messages") }
        guard case .array(let rawMessages)? = tree[member: "messages"], rawMessages.count == chat.messages.count else {
            throw .badRequest("'messages' must be an array of message objects", param: "messages")
        }
        var messages: [TemplateValue] = []
        for (index, (message, raw)) in zip(chat.messages, rawMessages).enumerated() {
            guard case .object(var object) = raw else {
                throw .badRequest("'messages[\(index)]' must be an object", param: "messages[\(index)]")
            }
            switch message.role {
            case "system", "user", "assistant", "tool": break
            case "developer": object["role"] = .string("system")
            default:
                throw .badRequest("'messages[\(index)].role' is '\(message.role)'; use system, developer, user, assistant or tool",
                                  param: "messages[\(index)].role", code: "invalid_value")
            }
            if let content = message.content { object["content"] = .string(content.text) }
            messages.append(.object(object))
        }
        return messages
    }

    /// The grammar `response_format` asks for: none for `text`, any JSON object, or JSON valid under a schema.
    private func grammar(_ format: ResponseFormat?, tree: TemplateValue) throws(OpenAIError) -> Grammar? {
        guard let format else { return nil }
        switch format.type {
        case "text": return nil
        case "json_object": return .json
        case "json_schema":
            guard let schema = tree[member: "response_format"]?[member: "json_schema"]?[member: "schema"] else {
                throw .badRequest("'response_format.json_schema.schema' is required for type json_schema",
                                  param: "response_format.json_schema.schema", code: "missing_field")
            }
            do { return try Grammar(jsonSchema: schema) } catch {
                throw .badRequest("'response_format.json_schema.schema' is not supported: \(error)",
                                  param: "response_format.json_schema.schema", code: "invalid_value")
            }
        default:
            throw .badRequest("'response_format.type' is '\(format.type)'; use text, json_object or json_schema",
                              param: "response_format.type", code: "invalid_value")
        }
    }
}

extension ChatCompletionsRoute {
    /// One admitted request: its prompt, parameters and identity.
    struct Job: Sendable {
        let served: ServedModel
        let admission: AdmissionQueue
        let id: String
        let created: Int
        let prompt: [Int32]
        let parameters: GenerationParameters
        let choices: Int

        func complete() async throws(OpenAIError) -> ChatCompletion {
            var runs: [ChoiceRun] = []
            for index in 0..<choices {
                runs.append(try await ChoiceRun.run(served.model, prompt: prompt, parameters: parameters.forChoice(index)))
            }
            let summaries = runs.compactMap(\.summary)
            log(summaries)
            return ChatCompletion(
                id: id, created: created, model: served.id, systemFingerprint: served.fingerprint,
                choices: runs.enumerated().map { index, run in
                    .init(index: index, message: .init(content: run.text),
                          logprobs: parameters.logprobs ? ChatLogprobs(run.tokens, tokenizer: served.model.tokenizer) : nil,
                          finishReason: run.summary!.stopReason.finishReason)
                },
                usage: Usage(summaries))
        }

        /// Streams every choice as chunks; stops generating as soon as a write fails (the client left).
        func stream(to events: EventStream, includeUsage: Bool) async {
            var events = events
            var summaries: [GenerationSummary] = []
            var generated = 0
            func chunk(_ choice: ChatCompletionChunk.Choice?, usage: Usage? = nil) -> ChatCompletionChunk {
                ChatCompletionChunk(id: id, created: created, model: served.id, systemFingerprint: served.fingerprint,
                                    choices: choice.map { [$0] } ?? [], usage: usage)
            }
            do {
                for index in 0..<choices {
                    try await events.send(chunk(.init(index: index, delta: .init(role: "assistant", content: ""))))
                    for try await event in served.model.generate(prompt: prompt, parameters: parameters.forChoice(index)) {
                        switch event {
                        case .token(let token):
                            generated += 1
                            guard !token.text.isEmpty || parameters.logprobs else { continue }
                            let logprobs = parameters.logprobs ? ChatLogprobs([token], tokenizer: served.model.tokenizer) : nil
                            try await events.send(chunk(.init(index: index, delta: .init(content: token.text), logprobs: logprobs)))
                        case .text(let text):
                            try await events.send(chunk(.init(index: index, delta: .init(content: text))))
                        case .done(let summary):
                            summaries.append(summary)
                            try await events.send(chunk(.init(index: index, delta: .init(), finishReason: summary.stopReason.finishReason)))
                        }
                    }
                }
                if includeUsage { try await events.send(chunk(nil, usage: Usage(summaries))) }
                try await events.finish()
                log(summaries)
            } catch is EventStream.ClientGone {
                admission.recordCancellation()
                serverLog("\(id): the client went away after \(generated) generated tokens; generation cancelled")
            } catch {
                let failure = OpenAIError.from(error)
                serverLog("\(id): failed: \(failure.message)")
                try? await events.send(error: failure)
                try? await events.finish()
            }
        }

        private func log(_ summaries: [GenerationSummary]) {
            serverLog(finishedLine(id, summaries))
        }
    }
}
