import Foundation
import Kinglet

/// One choice generated to its end: the text, the tokens (for logprobs) and the counts.
struct ChoiceRun: Sendable {
    var text = ""
    var tokens: [GeneratedToken] = []
    var summary: GenerationSummary?

    /// Generates one choice after `prompt`, recorded by `meter`. Cancelling the calling task stops the generation.
    static func run(_ served: ServedModel, prompt: [Int32], parameters: GenerationParameters,
                    meter: RequestMeter) async throws(OpenAIError) -> ChoiceRun {
        var run = ChoiceRun()
        do {
            for try await event in meter.observe(served.generate(prompt: prompt, parameters: parameters)) {
                switch event {
                case .token(let token):
                    run.text += token.text
                    if parameters.logprobs { run.tokens.append(token) }
                case .text(let text):
                    run.text += text
                case .done(let summary):
                    run.summary = summary
                }
            }
        } catch {
            throw .from(error)
        }
        guard run.summary != nil else { throw .server("the generation ended without a summary") }
        return run
    }
}

extension ChoiceRun {
    /// Generates a request's `count` choices at once, each its own sequence of the batch, in choice order.
    static func runAll(_ served: ServedModel, prompt: [Int32], parameters: GenerationParameters,
                       count: Int, meter: RequestMeter) async throws(OpenAIError) -> [ChoiceRun] {
        do {
            return try await withThrowingTaskGroup(of: (Int, ChoiceRun).self) { group in
                for index in 0..<count {
                    group.addTask { (index, try await run(served, prompt: prompt, parameters: parameters.forChoice(index), meter: meter)) }
                }
                var runs = [ChoiceRun](repeating: ChoiceRun(), count: count)
                for try await (index, run) in group { runs[index] = run }
                return runs
            }
        } catch {
            throw .from(error)
        }
    }
}

/// The log line of a finished request: "chatcmpl-…: prompt 31 tokens at 80 tok/s, 8 generated at 41 tok/s, finish length".
func finishedLine(_ id: String, _ summaries: [GenerationSummary]) -> String {
    let prompt = summaries.first?.promptTokens ?? 0
    let generated = summaries.reduce(0) { $0 + $1.generatedTokens }
    let promptSpeed = summaries.first?.promptTokensPerSecond ?? 0
    let decodeSeconds = summaries.reduce(0) { $0 + $1.decodeSeconds }
    let decodeSteps = summaries.reduce(0) { $0 + $1.decodeSteps }
    let decodeSpeed = decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0
    let reasons = summaries.map(\.stopReason.finishReason).joined(separator: ",")
    return String(format: "%@: prompt %d tokens at %.0f tok/s, %d generated at %.0f tok/s in %d choice(s), finish %@",
                  id, prompt, promptSpeed, generated, decodeSpeed, summaries.count, reasons)
}
