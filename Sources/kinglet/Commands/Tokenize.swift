import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Tokenize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the token ids of a text.")

        @OptionGroup var model: ModelOptions

        @Argument(help: "The text (read from standard input when absent).")
        var text: String?

        @Flag(help: "Parse special tokens such as <|im_start|> in the text.")
        var special = false

        func run() async throws {
            let input = try promptText(text)
            let lm = try model.load()
            let ids = lm.tokenizer.encode(input, parseSpecial: special)
            writeOut(ids.map(String.init).joined(separator: " ") + "\n")
        }
    }
}
