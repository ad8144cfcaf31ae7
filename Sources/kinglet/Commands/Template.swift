import ArgumentParser
import Foundation
import GGUF
import Kinglet
import Templates
import Tokenizers

extension KingletCommand {
    struct Template: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a conversation with a chat template, exactly as the model would see it.",
            discussion: "Prints the prompt with no trailing newline added. Renders as Hugging Face's apply_chat_template.")

        @Option(name: .shortAndLong, help: "A .gguf path or store name whose template and BOS/EOS are used.")
        var model: String?

        @Option(help: "JSON file with the messages array.")
        var messages: String

        @Option(help: "JSON file with the tools array (OpenAI function definitions).")
        var tools: String?

        @Flag(name: .customLong("no-generation-prompt"), help: "Do not open an assistant turn at the end.")
        var noGenerationPrompt = false

        @Option(name: .customLong("var"), help: "An extra template variable, key=value (value parsed as JSON if it is JSON).")
        var variables: [String] = []

        @Option(help: "A Jinja template file to render instead of the model's own.")
        var template: String?

        @Option(help: "The BOS string for --template (default: the model's, if -m is given).")
        var bos: String?

        @Option(help: "The EOS string for --template (default: the model's, if -m is given).")
        var eos: String?

        @Option(help: "The time strftime_now sees, as 2026-11-22T12:00:00 (default: now).")
        var now: String?

        func validate() throws {
            guard model != nil || template != nil else { throw ValidationError("give -m MODEL or --template FILE") }
            for variable in variables where !variable.contains("=") {
                throw ValidationError("--var takes key=value, got '\(variable)'")
            }
        }

        func run() async throws {
            do {
                let conversation = try jsonArray(messages, what: "--messages")
                let toolList = try tools.map { try jsonArray($0, what: "--tools") }
                var extra: [String: TemplateValue] = [:]
                for variable in variables {
                    let (key, value) = variable.split(separator: "=", maxSplits: 1).map(String.init).pair
                    extra[key] = (try? TemplateValue.parseJSON(value)) ?? .string(value)
                }
                let format = try chatFormat()
                let text = try format.render(messages: conversation, tools: toolList,
                                             addGenerationPrompt: !noGenerationPrompt, extra: extra, now: try fixedNow())
                writeOut(text)
            } catch {
                throw CommandFailure.from(error)
            }
        }

        /// The template to render: `--template` (with the model's or the given BOS/EOS), else the model's own.
        private func chatFormat() throws -> ChatFormat {
            let tokenizer: Tokenizer?
            var fromModel: ChatFormat?
            if let model {
                let file: GGUFFile
                do { file = try GGUFFile(contentsOf: ModelStore.path(for: model)) } catch { throw CommandFailure(error.description) }
                do { tokenizer = try Tokenizer(gguf: file.metadata) } catch { throw CommandFailure(error.description) }
                if template == nil {
                    guard let format = try ChatFormat(file: file, tokenizer: tokenizer!) else {
                        throw KingletError.noChatTemplate(path: model)
                    }
                    fromModel = format
                }
            } else {
                tokenizer = nil
            }
            if let fromModel { return fromModel }
            let base = try ChatFormat(source: try readText(template!), tokenizer: tokenizer)
            return ChatFormat(template: base.template, bosToken: bos ?? base.bosToken, eosToken: eos ?? base.eosToken)
        }

        private func jsonArray(_ path: String, what: String) throws -> [TemplateValue] {
            let value: TemplateValue
            do { value = try TemplateValue.parseJSON(try readText(path)) } catch let error as CommandFailure {
                throw error
            } catch {
                throw CommandFailure("\(what) \(path): \(error)")
            }
            guard case .array(let items) = value else { throw CommandFailure("\(what) \(path) must hold a JSON array") }
            return items
        }

        private func fixedNow() throws -> Date? {
            guard let now else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
            formatter.timeZone = TimeZone(identifier: "UTC")
            guard let date = formatter.date(from: now) else { throw CommandFailure("--now must look like 2026-11-22T12:00:00") }
            return date
        }
    }
}

private extension Array where Element == String {
    /// The two parts of a split `key=value`.
    var pair: (String, String) { (self[0], count > 1 ? self[1] : "") }
}
