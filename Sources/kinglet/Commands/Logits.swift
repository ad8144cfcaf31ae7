import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Logits: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next-token logits at every position of the input.",
            discussion: """
                A parity tool: compare Kinglet with another engine token by token. With --json, one \
                line per input position: {"pos": i, "id": token, "logits": [...]}, or "top": \
                [{"id", "logit"}...] instead of "logits" with --top K.
                """)

        @OptionGroup var model: ModelOptions

        @Argument(help: "Text to tokenize (unless --ids is given).")
        var text: String?

        @Option(help: "Comma-separated token ids to evaluate instead of text.")
        var ids: String?

        @Flag(help: "Tokenize the text as is (special tokens parsed), without the chat format.")
        var raw = false

        @Option(help: "Only the K largest logits per position.")
        var top: Int?

        @Flag(help: "JSON lines output.")
        var json = false

        func validate() throws {
            guard (ids == nil) != (text == nil) else { throw ValidationError("give either TEXT or --ids") }
            if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        }

        func run() async throws {
            let lm = try model.load(text: ids == nil)
            let tokens: [Int32]
            if let ids {
                let parts = ids.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let parsed = parts.map { Int32($0) }
                guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else {
                    throw CommandFailure("--ids must be comma-separated integers, got '\(ids)'")
                }
                tokens = parsed.map { $0! }
            } else {
                do {
                    tokens = raw ? lm.tokenizer.encode(text!, parseSpecial: true) : try lm.chatPrompt(text!)
                } catch {
                    throw CommandFailure(error.description)
                }
            }
            guard !tokens.isEmpty else { throw CommandFailure("the input has no tokens") }
            let context = ModelContext(model: lm, capacity: max(tokens.count, 1))
            do {
                try context.append(tokens) { position, logits in
                    writeOut(line(position: position, token: tokens[position], logits: logits, lm: lm))
                }
            } catch {
                throw CommandFailure.from(error)
            }
        }

        private func line(position: Int, token: Int32, logits: UnsafeBufferPointer<Float>, lm: LanguageModel) -> String {
            let best = top.map { LogProbabilities.topLogits($0, of: logits) }
            if json {
                var out = "{\"pos\": \(position), \"id\": \(token), "
                if let best {
                    out += "\"top\": [" + best.map { "{\"id\": \($0.id), \"logit\": \(jsonNumber($0.logit))}" }
                        .joined(separator: ", ") + "]}\n"
                } else {
                    out.reserveCapacity(logits.count * 11)
                    out += "\"logits\": ["
                    for (i, value) in logits.enumerated() {
                        if i > 0 { out += ", " }
                        out += jsonNumber(value)
                    }
                    out += "]}\n"
                }
                return out
            }
            let shown = (best ?? LogProbabilities.topLogits(5, of: logits)).map { "\($0.id) \(jsonString(lm.tokenizer.decode([$0.id]))) \($0.logit)" }
            return "\(position)\t\(token) \(jsonString(lm.tokenizer.decode([token])))\t→ " + shown.joined(separator: " | ") + "\n"
        }
    }
}
