import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand {
    /// Benchmarks that print ratios measured in one run.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmarks that print ratios measured in the same run.",
            discussion: "Without a subcommand: `kinglet bench speed`, so `kinglet bench -m MODEL -p 64,512 -n 128 -t 1,2` works as llama-bench does.",
            subcommands: [Speed.self, Kernels.self, GrammarOverhead.self],
            defaultSubcommand: Speed.self)
    }
}

extension KingletCommand.Bench {
    /// What grammar-constrained decoding costs per token, against one decode step of the same model.
    struct GrammarOverhead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grammar",
            abstract: "Time a full-vocabulary grammar mask in typical JSON states against one decode step.")

        @OptionGroup var model: ModelOptions

        @Option(help: "Timed repetitions of each measurement.")
        var repeats: Int = 20

        /// A grammar and the text generated so far, which leaves the matcher in the state to time.
        struct State {
            let name: String
            let grammar: Grammar
            let prefix: String
        }

        func run() async throws {
            let lm = try model.load()
            let clock = ContinuousClock()
            let vocabularyStart = clock.now
            let vocabulary = lm.grammarVocabulary
            let vocabularySeconds = (clock.now - vocabularyStart).seconds

            let decode = try decodeStepSeconds(lm)
            let schema = try Grammar(jsonSchemaText: """
                {"type":"object","properties":{"title":{"type":"string"},"year":{"type":"integer"},
                 "authors":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"born":{"type":"integer"}},"required":["name","born"]}},
                 "genre":{"enum":["fiction","science","history"]}},"required":["title","year","authors","genre"]}
                """)
            let states = [
                State(name: "json: after {", grammar: .json, prefix: "{"),
                State(name: "json: in a key", grammar: .json, prefix: "{\"ke"),
                State(name: "json: after :", grammar: .json, prefix: "{\"key\":"),
                State(name: "json: in a string", grammar: .json, prefix: "{\"key\": \"some te"),
                State(name: "json: in a number", grammar: .json, prefix: "{\"key\": 12"),
                State(name: "schema: in a nested string", grammar: schema, prefix: "{\"title\": \"Dune\", \"year\": 1965, \"authors\": [{\"name\": \"Frank Her"),
                State(name: "schema: enum value", grammar: schema, prefix: "{\"title\": \"Dune\", \"year\": 1965, \"authors\": [], \"genre\": \"sc"),
            ]
            writeOut(String(format: "%@: vocabulary %d tokens, trie built in %.0f ms; one decode step %.2f ms (%d threads)\n",
                            lm.architectureName, vocabulary.count, vocabularySeconds * 1000, decode * 1000, model.threads))
            writeOut("state                          first mask    repeat mask   share of a decode step\n")
            var logits = [Float](repeating: 0, count: lm.shape.vocabularySize)
            for state in states {
                var matcher = GrammarMatcher(grammar: state.grammar, vocabulary: vocabulary)
                for byteToken in lm.tokenizer.encode(state.prefix, addBOS: false) {
                    do { try matcher.accept(byteToken) } catch {
                        throw CommandFailure("\(state.name): the prefix does not tokenize into allowed tokens: \(error)")
                    }
                }
                let first = logits.withUnsafeMutableBufferPointer { buffer in
                    let start = clock.now
                    matcher.mask(buffer)
                    return (clock.now - start).seconds
                }
                var repeated: [Double] = []
                for _ in 0..<repeats {
                    repeated.append(logits.withUnsafeMutableBufferPointer { buffer in
                        let start = clock.now
                        matcher.mask(buffer)
                        return (clock.now - start).seconds
                    })
                }
                let median = repeated.sorted()[repeated.count / 2]
                writeOut(state.name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(
                    format: " %7.3f ms    %7.3f ms    %5.1f %% (first) / %4.1f %% (repeat)\n",
                    first * 1000, median * 1000, 100 * first / decode, 100 * median / decode))
            }
        }

        /// The median time of one single-token forward pass after a short prompt.
        private func decodeStepSeconds(_ lm: LanguageModel) throws -> Double {
            let context = ModelContext(model: lm, capacity: 256)
            do {
                try context.append(lm.tokenizer.encode("The quick brown fox jumps over the lazy dog.", addBOS: nil))
                let clock = ContinuousClock()
                var times: [Double] = []
                for _ in 0..<max(repeats, 5) {
                    let token = Sampler.argmax(context.lastLogits)
                    let start = clock.now
                    try context.append(CollectionOfOne(token))
                    times.append((clock.now - start).seconds)
                }
                return times.sorted()[times.count / 2]
            } catch {
                throw CommandFailure(error.description)
            }
        }
    }
}

