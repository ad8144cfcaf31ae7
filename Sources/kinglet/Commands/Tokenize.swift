import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Tokenize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the token ids of a text.",
            discussion: """
                With --jsonl, reads lines {"text": ..., "special": bool} from standard input and writes \
                {"ids": [...]} per line, loading the tokenizer once.
                """)

        @OptionGroup var model: ModelOptions

        @Argument(help: "The text (read from standard input when absent).")
        var text: String?

        @Flag(help: "Parse special tokens such as <|im_start|> in the text.")
        var special = false

        @Flag(help: "JSON lines in and out (see above).")
        var jsonl = false

        func validate() throws {
            if jsonl && text != nil { throw ValidationError("--jsonl reads standard input; give no TEXT") }
        }

        func run() async throws {
            let lm = try model.load()
            guard jsonl else {
                let ids = lm.tokenizer.encode(try promptText(text), parseSpecial: special)
                writeOut(ids.map(String.init).joined(separator: " ") + "\n")
                return
            }
            var lineNumber = 0
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let text = object["text"] as? String else {
                    throw CommandFailure("line \(lineNumber) of standard input is not {\"text\": string, \"special\": bool}")
                }
                let ids = lm.tokenizer.encode(text, parseSpecial: object["special"] as? Bool ?? special)
                writeOut("{\"ids\": [" + ids.map(String.init).joined(separator: ", ") + "]}\n")
            }
        }
    }
}
