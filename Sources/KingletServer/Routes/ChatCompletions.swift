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
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func respond(to request: Request, channel: any Channel) async throws -> Response {
        let meter = RequestMeter(metrics)
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let chat = try RequestDecoding.decode(ChatCompletionRequest.self, from: body)
        let tree = try RequestDecoding.tree(body)
        try served.check(requested: chat.model)
        let plan = try prepare(chat, tree: tree)

        let job = Job(served: served, admission: admission, meter: meter, id: responseID("chatcmpl-"), created: Int(Date().timeIntervalSince1970),
                      prompt: plan.prompt, parameters: plan.parameters, choices: plan.choices, parser: plan.parser)
        if chat.stream == true {
            let includeUsage = chat.streamOptions?.includeUsage ?? false
            return try await admission.stream { events in await job.stream(to: events, includeUsage: includeUsage) }
        }
        return try await admission.respond(id: job.id, channel: channel) { try await job.complete() }
    }

    /// What to generate: the prompt (the conversation and tools through the chat template), the parameters
    /// (with the grammar that `response_format` or a forced `tool_choice` asks for), and how to read the output.
    private func prepare(_ chat: ChatCompletionRequest, tree: TemplateValue) throws(OpenAIError)
        -> (prompt: [Int32], parameters: GenerationParameters, choices: Int, parser: ChatOutputParser?) {
        let format = try served.chatFormat()
        let output = try ChatOutputSettings(chat, tree: tree, format: format)
        let prompt = try output.prompt(try templateMessages(chat, tree: tree), model: served.model)
        try served.checkFits(prompt, param: "messages")
        let decoding = try output.decoding(after: prompt, tokenizer: served.model.tokenizer)
        let formatGrammar = try grammar(chat.responseFormat, tree: tree)
        if decoding.grammar != nil && formatGrammar != nil {
            throw .badRequest("'response_format' cannot be combined with a tool_choice that forces a call",
                              param: "response_format", code: "invalid_value")
        }
        let (settings, choices) = try GenerationSettings(served: served).parameters(.init(
            sampling: chat.sampling,
            maxTokens: chat.maxCompletionTokens ?? chat.maxTokens,
            maxTokensField: chat.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens",
            n: chat.n, logprobs: chat.logprobs ?? false, topLogprobs: chat.topLogprobs,
            grammar: decoding.grammar ?? formatGrammar))
        var parameters = settings
        decoding.ban(in: &parameters)
        return (prompt, parameters, choices, decoding.parser)
    }

    /// The messages as the chat template wants them: each original object (so fields such as
    /// `tool_calls` and `name` pass through), `developer` read as `system`, content parts joined into text,
    /// and tool-call arguments given as JSON text parsed into objects, as templates expect them
    /// (Hugging Face's `apply_chat_template` takes them so; vLLM and llama.cpp parse them the same way).
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
            if case .array(let calls)? = object["tool_calls"] { object["tool_calls"] = .array(calls.map(Self.parsingArguments)) }
            messages.append(.object(object))
        }
        return messages
    }

    /// `call` with `function.arguments` parsed when it is JSON text (left as it is otherwise).
    private static func parsingArguments(_ value: TemplateValue) -> TemplateValue {
        guard case .object(var call) = value, case .object(var function)? = call["function"],
              case .string(let text)? = function["arguments"], let arguments = try? TemplateValue.parseJSON(text) else { return value }
        function["arguments"] = arguments
        call["function"] = .object(function)
        return .object(call)
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
        let meter: RequestMeter
        let id: String
        let created: Int
        let prompt: [Int32]
        let parameters: GenerationParameters
        let choices: Int
        /// Splits each choice into content, reasoning and tool calls; nil when it is all content.
        let parser: ChatOutputParser?

        func complete() async throws(OpenAIError) -> ChatCompletion {
            let runs = try await ChoiceRun.runAll(served, prompt: prompt, parameters: parameters, count: choices, meter: meter)
            let summaries = runs.compactMap(\.summary)
            log(summaries)
            return ChatCompletion(
                id: id, created: created, model: served.id, systemFingerprint: served.fingerprint,
                choices: runs.enumerated().map { index, run in
                    let message = self.message(run.text)
                    return .init(index: index, message: message,
                                 logprobs: parameters.logprobs ? ChatLogprobs(run.tokens, tokenizer: served.model.tokenizer) : nil,
                                 finishReason: run.summary!.stopReason.finishReason(toolCalls: message.toolCalls?.count ?? 0))
                },
                usage: Usage(summaries))
        }

        /// The message of a whole answer: its text, or what the parser makes of it.
        private func message(_ text: String) -> ChatCompletion.Message {
            guard let parser else { return .init(content: text) }
            let output = ChatOutput(parsing: text, with: parser)
            let calls = output.toolCalls.map { ChatCompletion.ToolCall(id: responseID("call_"), function: .init(name: $0.name, arguments: $0.arguments)) }
            return .init(content: output.content.isEmpty && !calls.isEmpty ? nil : output.content,
                         reasoningContent: output.reasoning.isEmpty ? nil : output.reasoning,
                         toolCalls: calls.isEmpty ? nil : calls)
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
                    var splitter = DeltaStream(parser: parser)
                    for try await event in meter.observe(served.generate(prompt: prompt, parameters: parameters.forChoice(index))) {
                        switch event {
                        case .token(let token):
                            generated += 1
                            var released = splitter.append(token.text)
                            guard parameters.logprobs else {
                                for delta in released { try await events.send(chunk(.init(index: index, delta: delta))) }
                                continue
                            }
                            // The token's logprobs ride on its first chunk, or on an empty one when it released nothing.
                            if released.isEmpty { released = [.init()] }
                            let logprobs = ChatLogprobs([token], tokenizer: served.model.tokenizer)
                            for (i, delta) in released.enumerated() {
                                try await events.send(chunk(.init(index: index, delta: delta, logprobs: i == 0 ? logprobs : nil)))
                            }
                        case .text(let text):
                            for delta in splitter.append(text) { try await events.send(chunk(.init(index: index, delta: delta))) }
                        case .done(let summary):
                            summaries.append(summary)
                            for delta in splitter.finish() { try await events.send(chunk(.init(index: index, delta: delta))) }
                            let reason = summary.stopReason.finishReason(toolCalls: splitter.calls)
                            try await events.send(chunk(.init(index: index, delta: .init(), finishReason: reason)))
                        }
                    }
                }
                if includeUsage { try await events.send(chunk(nil, usage: Usage(summaries))) }
                try await events.finish()
                log(summaries)
            } catch {
                guard let failure = admission.failure(cuttingShort: id, after: generated, error) else { return }
                try? await events.send(error: failure)
                try? await events.finish()
            }
        }

        private func log(_ summaries: [GenerationSummary]) {
            serverLog(finishedLine(id, summaries))
        }
    }
}
