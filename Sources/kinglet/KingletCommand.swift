import ArgumentParser
import Foundation
import Kinglet
import Templates

@main
struct KingletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinglet",
        abstract: "Run small open-weight language models locally.",
        subcommands: [Run.self, Pull.self, List.self, Show.self, Remove.self, Info.self, Logits.self, Tokenize.self, Template.self])
}

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A .gguf path or a store name (default: \(ModelStore.defaultModel)).")
    var model: String = ModelStore.defaultModel

    @Option(name: .shortAndLong, help: "Threads for the forward pass (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.short, .customLong("context")], help: "Context length in tokens (default: 4096, or the model's if shorter).")
    var context: Int?

    func validate() throws {
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be 1…256") }
        if let context, context < 1 { throw ValidationError("--context must be at least 1") }
    }

    /// Loads the model, or prints the error in one line and exits non-zero.
    func load() throws -> LanguageModel {
        do {
            return try LanguageModel(model, options: .init(threads: threads, contextLength: context))
        } catch {
            throw CommandFailure(error.description)
        }
    }
}

/// An error already phrased for the user: printed as `error: …`, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension CommandFailure {
    /// Wraps any error so that ArgumentParser prints only its one-line description.
    static func from(_ error: any Error) -> CommandFailure {
        if let failure = error as? CommandFailure { return failure }
        return CommandFailure(String(describing: error))
    }
}

/// Reads the prompt from the argument, or from standard input when there is none.
func promptText(_ argument: String?) throws -> String {
    if let argument { return argument }
    let data = FileHandle.standardInput.readDataToEndOfFile()
    guard let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure("standard input is not valid UTF-8")
    }
    return text
}

/// The contents of a UTF-8 text file, or a one-line error naming it.
func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
    guard let text = String(data: data, encoding: .utf8) else { throw CommandFailure("\(path) is not valid UTF-8") }
    return text
}

/// Writes `text` to standard output now (no line buffering).
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// A JSON number that stays valid JSON for non-finite values.
func jsonNumber(_ value: Float) -> String {
    value.isFinite ? "\(value)" : "null"
}

/// A JSON string literal (UTF-8 kept as is, as `json.dumps(ensure_ascii=False)`).
func jsonString(_ text: String) -> String {
    TemplateValue.string(text).jsonString()
}
