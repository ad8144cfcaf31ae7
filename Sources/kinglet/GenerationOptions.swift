import ArgumentParser
import Foundation
import Kinglet

/// Sampling and stopping flags shared by `run` and `chat`, with llama.cpp's names and defaults.
struct GenerationOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("max-tokens")], help: "Most tokens to generate.")
    var maxTokens: Int = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(name: .customLong("top-k"), help: "Keep the K most likely tokens (0: off).")
    var topK: Int = 40

    @Option(name: .customLong("top-p"), help: "Nucleus sampling: keep the most likely tokens holding this probability (1: off).")
    var topP: Float = 0.95

    @Option(name: .customLong("min-p"), help: "Keep tokens at least this fraction as likely as the best (0: off).")
    var minP: Float = 0.05

    @Option(help: "Locally typical sampling mass (1: off).")
    var typical: Float = 1

    @Option(name: .customLong("repeat-penalty"), help: "Penalize tokens seen in the last --repeat-last-n (1: off).")
    var repeatPenalty: Float = 1

    @Option(name: .customLong("repeat-last-n"), help: "Tokens the penalties look back over (0: off, -1: whole context).")
    var repeatLastN: Int = 64

    @Option(name: .customLong("presence-penalty"), help: "Subtract from the logit of every token already seen.")
    var presencePenalty: Float = 0

    @Option(name: .customLong("frequency-penalty"), help: "Subtract from a token's logit per occurrence.")
    var frequencyPenalty: Float = 0

    @Option(name: .customLong("logit-bias"), help: ArgumentHelp("Add BIAS to token ID's logit (repeatable; -inf bans it).", valueName: "ID=BIAS"))
    var logitBias: [String] = []

    @Option(help: "Stop when the text contains STR, which is not printed (repeatable).")
    var stop: [String] = []

    @Option(help: "Random seed, for reproducible sampling.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Constrain the output: json (any JSON object).", valueName: "json"))
    var format: OutputFormat?

    @Option(name: .customLong("json-schema"), help: ArgumentHelp("Constrain the output to JSON valid under this JSON Schema.", valueName: "FILE"))
    var jsonSchema: String?

    @Option(help: ArgumentHelp("Constrain the output to this GBNF grammar (llama.cpp's syntax).", valueName: "FILE"))
    var grammar: String?

    enum OutputFormat: String, ExpressibleByArgument {
        case json
    }

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must not be negative") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0") }
        guard topK >= 0 else { throw ValidationError("--top-k must be ≥ 0") }
        guard (0...1).contains(topP), (0...1).contains(minP), (0...1).contains(typical) else {
            throw ValidationError("--top-p, --min-p and --typical must be within 0…1")
        }
        guard repeatPenalty > 0, repeatPenalty.isFinite else { throw ValidationError("--repeat-penalty must be > 0") }
        guard repeatLastN >= -1 else { throw ValidationError("--repeat-last-n must be ≥ -1") }
        _ = try parsedLogitBias()
        guard [format != nil, jsonSchema != nil, grammar != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --format, --json-schema and --grammar")
        }
    }

    /// The grammar `--format`, `--json-schema` or `--grammar` asks for.
    func parsedGrammar() throws -> Grammar? {
        do {
            if format == .json { return .json }
            if let jsonSchema { return try Grammar(jsonSchemaText: try readText(jsonSchema)) }
            if let grammar { return try Grammar(gbnf: try readText(grammar)) }
        } catch let error as GrammarError {
            throw CommandFailure("\(jsonSchema ?? grammar ?? "grammar"): \(error.description)")
        }
        return nil
    }

    /// `--logit-bias` values as a map from token id to bias.
    func parsedLogitBias() throws -> [Int32: Float] {
        var bias: [Int32: Float] = [:]
        for item in logitBias {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let id = Int32(parts[0]), id >= 0 else {
                throw ValidationError("--logit-bias wants ID=BIAS, like 151643=-inf; got '\(item)'")
            }
            let value: Float? = switch parts[1].lowercased() {
            case "-inf", "-infinity": -.infinity
            case "inf", "+inf", "infinity": .infinity
            default: Float(parts[1]).flatMap { $0.isFinite ? $0 : nil }
            }
            guard let value else { throw ValidationError("--logit-bias: '\(parts[1])' is not a number") }
            bias[id] = value
        }
        return bias
    }

    /// The parameters these flags describe.
    func parameters(logprobs: Bool = false, topLogprobs: Int = 0) throws -> GenerationParameters {
        let sampling = SamplingParameters(
            temperature: temperature, topK: topK, topP: topP, minP: minP, typicalP: typical,
            repeatPenalty: repeatPenalty, repeatLastN: repeatLastN,
            presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty, logitBias: try parsedLogitBias())
        return GenerationParameters(maxTokens: maxTokens, sampling: sampling, seed: seed, stop: stop,
                                    grammar: try parsedGrammar(), logprobs: logprobs, topLogprobs: topLogprobs)
    }
}
