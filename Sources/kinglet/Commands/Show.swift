import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's metadata, chat template, default parameters and stop tokens.")

        @Argument(help: "A store name or a .gguf path.")
        var name: String

        @Flag(help: "Print only the chat template.")
        var template = false

        func run() async throws {
            let details: ModelDetails
            do { details = try ModelStore.details(of: name) } catch { throw CommandFailure(error.description) }
            if template {
                guard let chatTemplate = details.chatTemplate else {
                    throw CommandFailure("\(details.path) has no chat template (a base model?)")
                }
                writeOut(chatTemplate.hasSuffix("\n") ? chatTemplate : chatTemplate + "\n")
                return
            }
            var model: [(String, String)] = [("architecture", details.architecture)]
            if let displayName = details.displayName { model.append(("name", displayName)) }
            model.append(("parameters", ModelDetails.humanCount(details.parameterCount)
                            + (details.sizeLabel.map { " (size label \($0))" } ?? "")))
            let optional: [(String, Int?)] = [
                ("context length", details.contextLength), ("embedding length", details.embeddingLength),
                ("layers", details.layerCount), ("attention heads", details.headCount),
                ("key/value heads", details.kvHeadCount),
            ]
            model += optional.compactMap { key, value in value.map { (key, "\($0)") } }
            model.append(("quantization", details.quantization))
            if let vocabularySize = details.vocabularySize { model.append(("vocabulary size", "\(vocabularySize)")) }
            model.append(("file", "\(details.path) (\(ByteSize.human(details.fileSize)))"))

            var out = "  Model\n" + Self.table(model)
            let parameters = ModelDetails.defaultParameters.map { ($0.name, $0.value) }
                + details.stopTokens.map { ("stop", jsonString($0)) }
            out += "\n  Parameters\n" + Self.table(parameters)
            out += "\n  Template\n"
            if let chatTemplate = details.chatTemplate {
                out += chatTemplate.split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "    " + $0 }.joined(separator: "\n") + "\n"
            } else {
                out += "    (none: a base model; use `kinglet run --raw`)\n"
            }
            writeOut(out)
        }

        static func table(_ rows: [(String, String)]) -> String {
            let width = rows.map(\.0.count).max() ?? 0
            return rows.map { "    " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "    " + $0.1 + "\n" }
                .joined()
        }
    }
}
