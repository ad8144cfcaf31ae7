import Kinglet

/// One choice generated to its end: the text, the tokens (for logprobs) and the counts.
struct ChoiceRun: Sendable {
    var text = ""
    var tokens: [GeneratedToken] = []
    var summary: GenerationSummary?

    /// Generates one choice after `prompt`. Cancelling the calling task stops the generation.
    static func run(_ model: LanguageModel, prompt: [Int32], parameters: GenerationParameters) async throws(OpenAIError) -> ChoiceRun {
        var run = ChoiceRun()
        do {
            for try await event in model.generate(prompt: prompt, parameters: parameters) {
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
