import ArgumentParser
import Foundation
import GGUF
import Models
import enum Kernels.KernelPath
import Kinglet

extension KingletCommand {
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a model file: architecture, sizes, tensor types, tokenizer and the memory it needs.")

        @OptionGroup var model: ModelOptions

        func run() async throws {
            let path = ModelStore.path(for: model.model)
            var isDirectory: ObjCBool = false
            var rows = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
                ? try Self.checkpointRows(path) : try Self.ggufRows(path)
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

        /// What the GGUF header says: file, name, architecture, tensors, tokenizer, chat template.
        static func ggufRows(_ path: String) throws -> [(String, String)] {
            let file: GGUFFile
            do { file = try GGUFFile(contentsOf: path) } catch { throw CommandFailure(error.description) }
            let meta = file.metadata
            var rows: [(String, String)] = [
                ("file", path),
                ("file size", bytes(file.fileSize)),
                ("GGUF version", "\(file.version)"),
                ("name", (try? meta.optionalString("general.name")) ?? nil ?? "(unnamed)"),
            ]
            rows += tensorRows(file)
            let tokenizerModel = (try? meta.optionalString("tokenizer.ggml.model")) ?? nil
            let pre = (try? meta.optionalString("tokenizer.ggml.pre")) ?? nil
            let vocabulary = ((try? meta.optionalStrings("tokenizer.ggml.tokens")) ?? nil)?.count
            rows.append(("tokenizer", [tokenizerModel ?? "(none)", pre.map { "pre-tokenizer \($0)" },
                                        vocabulary.map { "\($0) tokens" }].compactMap { $0 }.joined(separator: ", ")))
            let template = (try? meta.optionalString("tokenizer.chat_template")) ?? nil
            rows.append(("chat template", template.map { "yes (\($0.count) characters)" } ?? "none"))
            return rows
        }

        /// What a Hugging Face checkpoint directory holds: model type, tensors, tokenizer files.
        static func checkpointRows(_ path: String) throws -> [(String, String)] {
            let checkpoint: HuggingFaceCheckpoint
            do { checkpoint = try HuggingFaceCheckpoint(directory: path) } catch { throw CommandFailure(error.description) }
            let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            var rows: [(String, String)] = [
                ("directory", path),
                ("weights", bytes(checkpoint.weightBytes) + " in \(files.filter { $0.hasSuffix(".safetensors") }.count) safetensors file(s)"),
                ("model type", checkpoint.modelType),
            ]
            rows += tensorRows(checkpoint)
            let present = ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json"]
                .filter(files.contains)
            rows.append(("tokenizer files", present.isEmpty ? "none (token ids only)" : present.joined(separator: ", ")))
            return rows
        }

        /// Architecture, parameter count and tensor types, as GGUF names them.
        static func tensorRows(_ source: any WeightSource) -> [(String, String)] {
            var typeCounts: [String: Int] = [:]
            for name in source.tensorNames { typeCounts[source.weight(named: name)?.type.name ?? "?", default: 0] += 1 }
            let types = typeCounts.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
            return [
                ("architecture", (try? source.metadata.string("general.architecture")) ?? "(none)"),
                ("parameters", count(source.parameterCount)),
                ("tensors", "\(source.tensorNames.count): " + types.joined(separator: ", ")),
            ]
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
