import Foundation
import Hummingbird
import Kinglet
import NIOCore
import Templates

/// `POST /v1/messages`: Anthropic's Messages API, over the machinery of `/v1/chat/completions` — the
/// conversation and tools through the model's chat template, a forced `tool_choice` held by grammar,
/// the output split into thinking, text and `tool_use` blocks — as one JSON body or as Anthropic's
/// named server-sent events (`stream: true`). `POST /v1/messages/count_tokens` renders the prompt only.
/// Failures come in Anthropic's error shape (see `AnthropicError`).
struct MessagesRoute: Sendable {
    static let path = "/v1/messages"
    let served: ServedModel
    let admission: AdmissionQueue
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func respond(to request: Request, channel: any Channel) async throws -> Response {
        let meter = RequestMeter(metrics)
        let (input, output, prompt) = try await read(request)
        guard let maxTokens = input.maxTokens else {
            throw OpenAIError.badRequest("missing required field 'max_tokens'", param: "max_tokens", code: "missing_field")
        }
        try served.checkFits(prompt, param: "messages")
        let decoding = try output.decoding(after: prompt, tokenizer: served.model.tokenizer)
        let sampling = SamplingFields(temperature: input.temperature, topP: input.topP, topK: input.topK,
                                      stop: input.stopSequences.map(StopField.init(sequences:)))
        var (parameters, _) = try GenerationSettings(served: served).parameters(.init(
            sampling: sampling, maxTokens: maxTokens, maxTokensField: "max_tokens", logprobs: false, grammar: decoding.grammar,
            stopField: "stop_sequences"))
        decoding.ban(in: &parameters)

        let job = Job(served: served, admission: admission, meter: meter, id: responseID("msg_"), prompt: prompt, parameters: parameters,
                      parser: decoding.parser)
        if input.stream == true { return try await admission.stream { events in await job.stream(to: events) } }
        return try await admission.respond(id: job.id, channel: channel) { try await job.complete() }
    }

    /// `POST /v1/messages/count_tokens`: `{"input_tokens": n}`, the prompt the same body would generate after.
    func countTokens(_ request: Request) async throws -> Response {
        try jsonResponse(TokenCount(inputTokens: try await read(request).prompt.count))
    }

    /// The request, checked, with what the model makes of it: its output settings and its prompt.
    private func read(_ request: Request) async throws(OpenAIError)
        -> (input: MessagesRequest, output: ChatOutputSettings, prompt: [Int32]) {
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let input = try RequestDecoding.decode(MessagesRequest.self, from: body)
        let tree = try RequestDecoding.tree(body)
        try served.check(requested: input.model)
        let output = try ChatOutputSettings(input, tree: tree, format: try served.chatFormat())
        return (input, output, try output.prompt(try templateMessages(input, tree: tree), model: served.model))
    }

    /// The conversation in the shape chat templates are written for (OpenAI's): `system` first; a user turn's
    /// `tool_result` blocks as `tool` messages (an error's content marked as one), then its text; an assistant
    /// turn's text as `content`, its `thinking` as `reasoning_content` and its `tool_use` blocks as `tool_calls`
    /// whose arguments are the `input` objects. A turn's text blocks are joined by newlines.
    private func templateMessages(_ input: MessagesRequest, tree: TemplateValue) throws(OpenAIError) -> [TemplateValue] {
        guard !input.messages.isEmpty else { throw .badRequest("'messages' must hold at least one message", param: "messages") }
        var messages: [TemplateValue] = []
        if let system = input.system { messages.append(["role": "system", "content": .string(system.text)]) }
        for (index, message) in input.messages.enumerated() {
            let field = "messages[\(index)]"
            guard message.role == "user" || message.role == "assistant" else {
                throw .badRequest("'\(field).role' is '\(message.role)'; use user or assistant (the system prompt goes in 'system')",
                                  param: "\(field).role", code: "invalid_value")
            }
            let blocks: [MessagesRequest.Block]
            switch message.content {
            case .text(let text):
                messages.append(["role": .string(message.role), "content": .string(text)])
                continue
            case .blocks(let list):
                blocks = list
            }
            var texts: [String] = [], reasoning: [String] = [], calls: [TemplateValue] = []
            for (position, block) in blocks.enumerated() {
                let blockField = "\(field).content[\(position)]"
                switch block {
                case .text(let text):
                    texts.append(text)
                case .thinking(let text):
                    if !text.isEmpty { reasoning.append(text) }   // empty for redacted thinking
                case .toolUse(let id, let name):
                    guard message.role == "assistant" else {
                        throw .badRequest("'\(blockField)' is a tool_use block, which only assistant messages hold", param: blockField, code: "invalid_value")
                    }
                    let arguments = tree[member: "messages"]?[element: index]?[member: "content"]?[element: position]?[member: "input"]
                    calls.append(["id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": arguments ?? [:]]])
                case .toolResult(let id, let content, let isError):
                    guard message.role == "user" else {
                        throw .badRequest("'\(blockField)' is a tool_result block, which only user messages hold", param: blockField, code: "invalid_value")
                    }
                    messages.append(["role": "tool", "tool_call_id": .string(id), "content": .string(isError ? "Error: \(content)" : content)])
                }
            }
            if message.role == "user" {
                if !texts.isEmpty || blocks.isEmpty { messages.append(["role": "user", "content": .string(texts.joined(separator: "\n"))]) }
                continue
            }
            var assistant = OrderedObject<TemplateValue>([("role", "assistant"), ("content", texts.isEmpty ? .none : .string(texts.joined(separator: "\n")))])
            if !reasoning.isEmpty { assistant["reasoning_content"] = .string(reasoning.joined(separator: "\n")) }
            if !calls.isEmpty { assistant["tool_calls"] = .array(calls) }
            messages.append(.object(assistant))
        }
        return messages
    }
}

extension MessagesRoute {
    /// One admitted request: its prompt, parameters and identity.
    struct Job: Sendable {
        let served: ServedModel
        let admission: AdmissionQueue
        let meter: RequestMeter
        let id: String
        let prompt: [Int32]
        let parameters: GenerationParameters
        /// Splits the answer into thinking, text and tool calls; nil when it is all text.
        let parser: ChatOutputParser?

        func complete() async throws(OpenAIError) -> MessagesResponse {
            let run = try await ChoiceRun.run(served, prompt: prompt, parameters: parameters, meter: meter)
            let summary = run.summary!
            var blocks = ContentBlocks(parser: parser)
            _ = blocks.append(run.text)
            _ = blocks.finish()
            serverLog(finishedLine(id, [summary]))
            return MessagesResponse(id: id, model: served.id, content: blocks.blocks,
                                    stopReason: summary.anthropicStopReason(toolUses: blocks.toolUses),
                                    stopSequence: stopSequence(summary, toolUses: blocks.toolUses), usage: MessagesUsage(summary))
        }

        /// Streams the answer as Anthropic's events; stops generating as soon as a write fails (the client left).
        func stream(to events: EventStream) async {
            var events = events
            var generated = 0
            func send(_ event: MessageStreamEvent) async throws { try await events.send(event: event.name, event) }
            do {
                try await send(.messageStart(MessagesResponse(id: id, model: served.id, content: [], usage: MessagesUsage(inputTokens: prompt.count))))
                try await send(.ping)
                var blocks = ContentBlocks(parser: parser)
                for try await event in meter.observe(served.generate(prompt: prompt, parameters: parameters)) {
                    switch event {
                    case .token(let token):
                        generated += 1
                        for block in blocks.append(token.text) { try await send(block) }
                    case .text(let text):
                        for block in blocks.append(text) { try await send(block) }
                    case .done(let summary):
                        for block in blocks.finish() { try await send(block) }
                        try await send(.messageDelta(stopReason: summary.anthropicStopReason(toolUses: blocks.toolUses),
                                                     stopSequence: stopSequence(summary, toolUses: blocks.toolUses), usage: MessagesUsage(summary)))
                        try await send(.messageStop)
                        serverLog(finishedLine(id, [summary]))
                    }
                }
                try await events.close()
            } catch {
                guard let failure = admission.failure(cuttingShort: id, after: generated, error) else { return }
                try? await events.send(event: "error", AnthropicError(failure))
                try? await events.close()
            }
        }

        /// The stop string that ended the answer, when that is its `stop_reason`.
        private func stopSequence(_ summary: GenerationSummary, toolUses: Int) -> String? {
            summary.anthropicStopReason(toolUses: toolUses) == "stop_sequence" ? summary.stopSequence : nil
        }
    }
}

extension TemplateValue {
    /// The element `index` of an array, nil otherwise.
    fileprivate subscript(element index: Int) -> TemplateValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }
}
