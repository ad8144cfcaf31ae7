import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a prompt, streaming the reply to standard output.",
            discussion: "Without --raw the prompt is one user message rendered with the model's chat template.")

        @OptionGroup var model: ModelOptions

        @Argument(help: "The prompt (read from standard input when absent).")
        var prompt: String?

        @OptionGroup(title: "Sampling and stopping") var generation: GenerationOptions

        @Option(help: "System message for chat mode.")
        var system: String?

        @Flag(help: "Tokenize the prompt as is (special tokens parsed), without the chat format.")
        var raw = false

        @Option(help: "A Jinja chat template file to use instead of the model's own.")
        var template: String?

        @Flag(help: "Print one JSON object per generated token, then a summary object.")
        var json = false

        @Option(name: .customLong("top-logprobs"), help: "With --json: also list the K most likely tokens at each step.")
        var topLogprobs: Int = 0

        func validate() throws {
            guard (0...100).contains(topLogprobs) else { throw ValidationError("--top-logprobs must be 0…100") }
        }

        func run() async throws {
            let text = try promptText(prompt)
            let lm = try model.load()
            let tokens: [Int32]
            do {
                let format = try template.map { try ChatFormat(source: try readText($0), tokenizer: lm.tokenizer) }
                tokens = raw ? lm.tokenizer.encode(text, parseSpecial: true) : try lm.chatPrompt(text, system: system, format: format)
            } catch {
                throw CommandFailure.from(error)
            }
            let parameters = try generation.parameters(logprobs: json, topLogprobs: topLogprobs)
            do {
                for try await event in lm.generate(prompt: tokens, parameters: parameters) {
                    json ? printJSON(event) : printText(event)
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }

        private func printText(_ event: GenerationEvent) {
            switch event {
            case .token(let token): writeOut(token.text)
            case .text(let text): writeOut(text)
            case .done(let summary):
                writeOut("\n")
                if summary.stopReason == .contextFull {
                    writeError("note: stopped because the context (\(model.context.map(String.init) ?? "default") tokens) is full\n")
                }
                if model.verbose { writeError(summary.report + "\n") }
            }
        }

        private func printJSON(_ event: GenerationEvent) {
            switch event {
            case .token(let token):
                var line = "{\"id\": \(token.id), \"text\": \(jsonString(token.text)), \"logprob\": \(jsonNumber(token.logprob ?? .nan))"
                if topLogprobs > 0 {
                    let top = token.topLogprobs.map { "{\"id\": \($0.id), \"logprob\": \(jsonNumber($0.logprob))}" }
                    line += ", \"top_logprobs\": [\(top.joined(separator: ", "))]"
                }
                writeOut(line + "}\n")
            case .text(let text):
                writeOut("{\"text\": \(jsonString(text))}\n")
            case .done(let s):
                writeOut("""
                {"done": true, "stop_reason": "\(s.stopReason.rawValue)", "stop": \(s.stopSequence.map(jsonString) ?? "null"), \
                "prompt_tokens": \(s.promptTokens), "generated_tokens": \(s.generatedTokens), "prompt_tokens_per_second": \(s.promptTokensPerSecond), \
                "decode_tokens_per_second": \(s.decodeTokensPerSecond)}

                """)
            }
        }
    }
}
