import ArgumentParser
import Foundation
import Kinglet
import Templates
import class Models.KVCache

@main
struct KingletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinglet",
        abstract: "Run small open-weight language models locally.",
        subcommands: [Run.self, Chat.self, Serve.self, Bench.self, Pull.self, List.self, Show.self, Remove.self, Info.self,
                      Logits.self, Tokenize.self, Template.self, Convert.self])
}

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "A .gguf path, a Hugging Face checkpoint directory or a store name (default: \(ModelStore.defaultModel)).")
    var model: String = ModelStore.defaultModel

    @Option(name: .shortAndLong, help: "Threads for the forward pass (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: [.short, .customLong("context")], help: "Context length in tokens (default: 4096, or the model's if shorter).")
    var context: Int?

    @Option(name: .customLong("memory-limit"), help: ArgumentHelp("Refuse a model and context needing more memory than this (e.g. 2G, 800M).", valueName: "SIZE"))
    var memoryLimit: String?

    @Option(name: .customLong("cache-type"), help: "Key/value cache element: f16 (as llama.cpp) or f32 (exact, twice the memory).")
    var cacheType: KVCache.Element = .float16

    @Flag(name: .shortAndLong, help: "Print the memory plan on load, and speeds after each answer.")
    var verbose = false

    func validate() throws {
        guard threads >= 1 && threads <= 256 else { throw ValidationError("--threads must be 1…256") }
        if let context, context < 1 { throw ValidationError("--context must be at least 1") }
        if let memoryLimit, parseByteCount(memoryLimit) == nil {
            throw ValidationError("--memory-limit wants a size like 2G, 800M or 1500000000; got '\(memoryLimit)'")
        }
    }

    /// Loads the model, or prints the error in one line and exits non-zero. Commands that read or
    /// write text refuse a weight-only model (`text` true) before doing anything.
    func load(text: Bool = true) throws -> LanguageModel {
        let lm: LanguageModel
        do {
            lm = try LanguageModel(model, options: .init(
                threads: threads, contextLength: context, memoryLimit: memoryLimit.flatMap(parseByteCount),
                cacheElement: cacheType))
            if text { try lm.requireTokenizer() }
        } catch {
            throw CommandFailure(error.description)
        }
        if verbose {
            let plan = lm.memoryPlan()
            writeError("""
            \(lm.path): \(lm.architectureName), context \(lm.contextLength) tokens, \(threads) threads
            memory: \(plan)

            """)
        }
        return lm
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

/// "2G", "800M", "1.5GiB", "4096K" or plain bytes, in binary units.
func parseByteCount(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
    let units: [(String, Double)] = [("TIB", 0x1p40), ("GIB", 0x1p30), ("MIB", 0x1p20), ("KIB", 0x1p10),
                                     ("TB", 0x1p40), ("GB", 0x1p30), ("MB", 0x1p20), ("KB", 0x1p10),
                                     ("T", 0x1p40), ("G", 0x1p30), ("M", 0x1p20), ("K", 0x1p10), ("B", 1)]
    var number = Substring(trimmed), scale = 1.0
    if let (suffix, value) = units.first(where: { trimmed.hasSuffix($0.0) }) {
        number = trimmed.dropLast(suffix.count)
        scale = value
    }
    guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else { return nil }
    return Int(value * scale)
}

/// Writes `text` to standard error now.
func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Writes `text` to standard output now (no line buffering).
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// A JSON number that stays valid JSON for non-finite values.
func jsonNumber<Number: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Number) -> String {
    value.isFinite ? "\(value)" : "null"
}

/// A JSON string literal (UTF-8 kept as is, as `json.dumps(ensure_ascii=False)`).
func jsonString(_ text: String) -> String {
    TemplateValue.string(text).jsonString()
}

extension GenerationSummary {
    /// "prompt 292 tokens (0 cached) at 81.0 tok/s · 128 generated at 40.4 tok/s · sampling 0.20 ms/token = 0.8 % of decode · stop"
    var report: String {
        let sampling = generatedTokens > 0 ? samplingSeconds * 1000 / Double(generatedTokens) : 0
        let decode = decodeSteps > 0 ? decodeSeconds * 1000 / Double(decodeSteps) : 0
        let masks = maskedSteps > 0 ? " (\(maskedSteps) grammar masks)" : ""
        return String(format: "prompt %d tokens (%d cached) at %.1f tok/s · %d generated at %.1f tok/s · sampling %.2f ms/token%@ = %.1f %% of decode · %@",
                      promptTokens, cachedPromptTokens, promptTokensPerSecond, generatedTokens, decodeTokensPerSecond,
                      sampling, masks, decode > 0 ? 100 * sampling / decode : 0, stopReason.rawValue)
    }
}

extension KVCache.Element: ExpressibleByArgument {}
