import ArgumentParser
import Foundation
import GGUF
import enum Kernels.KernelPath
import Kinglet

extension KingletCommand {
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a model file: architecture, sizes, tensor types, tokenizer and the memory it needs.")

        @OptionGroup var model: ModelOptions

        func run() async throws {
            let path = ModelStore.path(for: model.model)
            let file: GGUFFile
            do { file = try GGUFFile(contentsOf: path) } catch { throw CommandFailure(error.description) }
            let meta = file.metadata
            let architecture = (try? meta.string("general.architecture")) ?? "(none)"
            var rows: [(String, String)] = [
                ("file", path),
                ("file size", Self.bytes(file.fileSize)),
                ("GGUF version", "\(file.version)"),
                ("name", (try? meta.optionalString("general.name")) ?? nil ?? "(unnamed)"),
                ("architecture", architecture),
                ("parameters", Self.count(file.tensors.reduce(0) { $0 + $1.elementCount })),
            ]
            var typeCounts: [String: Int] = [:]
            for tensor in file.tensors { typeCounts[tensor.type.name, default: 0] += 1 }
            let types = typeCounts.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
            rows.append(("tensors", "\(file.tensors.count): " + types.joined(separator: ", ")))
            let tokenizerModel = (try? meta.optionalString("tokenizer.ggml.model")) ?? nil
            let pre = (try? meta.optionalString("tokenizer.ggml.pre")) ?? nil
            let vocabulary = ((try? meta.optionalStrings("tokenizer.ggml.tokens")) ?? nil)?.count
            rows.append(("tokenizer", [tokenizerModel ?? "(none)", pre.map { "pre-tokenizer \($0)" },
                                        vocabulary.map { "\($0) tokens" }].compactMap { $0 }.joined(separator: ", ")))
            let template = (try? meta.optionalString("tokenizer.chat_template")) ?? nil
            rows.append(("chat template", template.map { "yes (\($0.count) characters)" } ?? "none"))

            do {
                let lm = try LanguageModel(path, options: .init(threads: 1, contextLength: model.context))
                let s = lm.shape
                rows += [
                    ("layers", "\(s.layerCount)"),
                    ("embedding", "\(s.embeddingLength)"),
                    ("attention heads", "\(s.headCount) query, \(s.kvHeadCount) key/value, dimension \(s.headDimension)"),
                    ("feed-forward", "\(s.feedForwardLength)"),
                    ("vocabulary", "\(s.vocabularySize)"),
                    ("context", "\(lm.contextLength) tokens this run (trained: \(s.trainedContextLength))"),
                ]
                let plan = lm.memoryPlan()
                rows.append(("memory", "\(Self.bytes(plan.totalBytes)) = weights \(Self.bytes(plan.weightBytes)) (mapped)"
                             + " + KV cache \(Self.bytes(plan.cacheBytes)) (\(lm.contextLength) tokens)"
                             + " + scratch \(Self.bytes(plan.scratchBytes))"))
            } catch {
                rows.append(("status", "cannot run: \(error.description)"))
            }
            rows.append(("kernels", "\(KernelPath.active.rawValue) (\(KernelPath.active.description))"))
            let width = rows.map(\.0.count).max() ?? 0
            for (key, value) in rows {
                writeOut(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value + "\n")
            }
        }

        static func bytes(_ n: Int) -> String {
            n >= 1 << 30 ? String(format: "%.2f GiB", Double(n) / Double(1 << 30))
                : String(format: "%.1f MiB", Double(n) / Double(1 << 20))
        }

        static func count(_ n: Int) -> String {
            n >= 1_000_000_000 ? String(format: "%.2fB", Double(n) / 1e9) : String(format: "%.1fM", Double(n) / 1e6)
        }
    }
}
