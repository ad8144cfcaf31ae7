import Foundation
import Hummingbird
import Kinglet
import NIOCore

/// `POST /v1/completions`: plain text completion of a prompt given as text or token ids.
struct CompletionsRoute: Sendable {
    let served: ServedModel
    let admission: AdmissionQueue
    let metrics: ServerMetrics
    let maxBodyBytes: Int

    func respond(to request: Request, channel: any Channel) async throws -> Response {
        let meter = RequestMeter(metrics)
        let body = try await RequestDecoding.collect(request, limit: maxBodyBytes)
        let completion = try RequestDecoding.decode(CompletionRequest.self, from: body)
        try served.check(requested: completion.model)
        let tokenizer = served.model.tokenizer
        let prompt: [Int32], promptText: String
        switch completion.prompt {
        case .text(let text):
            prompt = tokenizer.encode(text, parseSpecial: true)
            promptText = text
        case .tokens(let tokens):
            try served.checkTokens(tokens, param: "prompt")
            prompt = tokens
            promptText = tokenizer.decode(tokens)
        }
        try served.checkFits(prompt, param: "prompt")
        let top = completion.logprobs ?? 0
        let (parameters, choices) = try GenerationSettings(served: served).parameters(.init(
            sampling: completion.sampling, maxTokens: completion.maxTokens ?? 16, maxTokensField: "max_tokens",
            n: completion.n, logprobs: completion.logprobs != nil, topLogprobs: top, topLogprobsField: "logprobs"))

        let job = Job(served: served, admission: admission, meter: meter, id: responseID("cmpl-"), created: Int(Date().timeIntervalSince1970),
                      prompt: prompt, parameters: parameters, choices: choices,
                      echo: completion.echo == true ? promptText : nil)
        if completion.stream == true {
            let includeUsage = completion.streamOptions?.includeUsage ?? false
            return try await admission.stream { events in await job.stream(to: events, includeUsage: includeUsage) }
        }
        return try await admission.respond(id: job.id, channel: channel) { try await job.complete() }
    }
}

extension CompletionsRoute {
    struct Job: Sendable {
        let served: ServedModel
        let admission: AdmissionQueue
        let meter: RequestMeter
        let id: String
        let created: Int
        let prompt: [Int32]
        let parameters: GenerationParameters
        let choices: Int
        /// The prompt text to put before each choice's text (`echo`).
        let echo: String?

        func complete() async throws(OpenAIError) -> Completion {
            let runs = try await ChoiceRun.runAll(served, prompt: prompt, parameters: parameters, count: choices, meter: meter)
            let summaries = runs.compactMap(\.summary)
            serverLog(finishedLine(id, summaries))
            let prefix = echo ?? ""
            return Completion(
                id: id, created: created, model: served.id, systemFingerprint: served.fingerprint,
                choices: runs.enumerated().map { index, run in
                    .init(index: index, text: prefix + run.text,
                          logprobs: parameters.logprobs
                              ? CompletionLogprobs(run.tokens, tokenizer: served.model.tokenizer, offset: prefix.count) : nil,
                          finishReason: run.summary!.stopReason.finishReason)
                },
                usage: Usage(summaries))
        }

        func stream(to events: EventStream, includeUsage: Bool) async {
            var events = events
            var summaries: [GenerationSummary] = []
            var generated = 0
            func chunk(_ choice: Completion.Choice?, usage: Usage? = nil) -> Completion {
                Completion(id: id, created: created, model: served.id, systemFingerprint: served.fingerprint,
                           choices: choice.map { [$0] } ?? [], usage: usage)
            }
            do {
                for index in 0..<choices {
                    var offset = 0
                    if let echo {
                        try await events.send(chunk(.init(index: index, text: echo)))
                        offset = echo.count
                    }
                    for try await event in meter.observe(served.generate(prompt: prompt, parameters: parameters.forChoice(index))) {
                        switch event {
                        case .token(let token):
                            generated += 1
                            guard !token.text.isEmpty || parameters.logprobs else { continue }
                            let logprobs = parameters.logprobs
                                ? CompletionLogprobs([token], tokenizer: served.model.tokenizer, offset: offset) : nil
                            offset += token.text.count
                            try await events.send(chunk(.init(index: index, text: token.text, logprobs: logprobs)))
                        case .text(let text):
                            offset += text.count
                            try await events.send(chunk(.init(index: index, text: text)))
                        case .done(let summary):
                            summaries.append(summary)
                            try await events.send(chunk(.init(index: index, text: "", finishReason: summary.stopReason.finishReason)))
                        }
                    }
                }
                if includeUsage { try await events.send(chunk(nil, usage: Usage(summaries))) }
                try await events.finish()
                serverLog(finishedLine(id, summaries))
            } catch {
                guard let failure = admission.failure(cuttingShort: id, after: generated, error) else { return }
                try? await events.send(error: failure)
                try? await events.finish()
            }
        }
    }
}
