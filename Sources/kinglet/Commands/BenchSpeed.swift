import ArgumentParser
import Foundation
import Kinglet

extension KingletCommand.Bench {
    /// llama-bench's prompt-processing and text-generation tests, with the memory roofline of decode.
    struct Speed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "speed",
            abstract: "Prompt (ppN) and generation (tgN) speed, as llama-bench measures them (the default).",
            discussion: """
                pp N evaluates N random prompt tokens from an empty cache; tg N decodes N tokens one \
                forward pass at a time from an empty cache. Each test runs once to warm up, then \
                --repetitions times; the table shows mean ± standard deviation of tokens/s. Right after \
                each tg test, the memory read bandwidth of its thread count is measured: the test's \
                roofline is the share of the speed at which that bandwidth streams the bytes one \
                decode step reads (weights and cached keys and values).
                """)

        @Option(name: .shortAndLong, help: "A .gguf path, a Hugging Face checkpoint directory or a store name (default: \(ModelStore.defaultModel)).")
        var model: String = ModelStore.defaultModel

        @Option(name: [.customShort("p"), .customLong("n-prompt")], help: "Prompt lengths to time, comma-separated (0: none).")
        var prompt = CountList([512])

        @Option(name: [.customShort("n"), .customLong("n-gen")], help: "Generation lengths to time, comma-separated (0: none).")
        var generate = CountList([128])

        @Option(name: [.customShort("d"), .customLong("n-depth")], help: "Context depths to run the tests at, comma-separated (tokens evaluated first, untimed).")
        var depth = CountList([0])

        @Option(name: [.customShort("r"), .customLong("repetitions")], help: "Timed runs of each test, after one warm-up run.")
        var repetitions = 5

        @Option(name: .shortAndLong, help: "Thread counts, comma-separated (default: all cores).")
        var threads = CountList([ProcessInfo.processInfo.activeProcessorCount])

        @Flag(help: "Print one JSON object per test instead of a table.")
        var json = false

        var tests: [SpeedTest] {
            depth.values.flatMap { d in
                prompt.values.filter { $0 > 0 }.map { SpeedTest.prompt($0, depth: d) }
                    + generate.values.filter { $0 > 0 }.map { SpeedTest.generation($0, depth: d) }
            }
        }

        func validate() throws {
            guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
            guard threads.values.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads must be 1…256") }
            guard !tests.isEmpty else { throw ValidationError("nothing to run: -p and -n are both 0") }
        }

        /// One finished test, the process's peak resident size right after it and, for a tg test,
        /// the read bandwidth of its threads measured next.
        struct Row {
            let result: SpeedResult
            let peakResidentBytes: Int
            var bandwidth: Double?

            var rooflineRatio: Double? { bandwidth.flatMap { result.rooflineRatio(bandwidth: $0) } }
        }

        func run() async throws {
            let positions = tests.map(\.positions).max() ?? 1
            var rows: [Row] = []
            var lm: LanguageModel?
            for count in threads.values {
                lm = nil  // one model mapped at a time
                let loaded: LanguageModel
                do {
                    loaded = try LanguageModel(model, options: .init(threads: count, contextLength: positions))
                } catch {
                    throw CommandFailure(error.description)
                }
                lm = loaded
                for test in tests {
                    var row: Row
                    do {
                        let result = try loaded.measureSpeed(test, repetitions: repetitions)
                        row = Row(result: result, peakResidentBytes: MachineMeasurements.peakResidentBytes())
                    } catch {
                        throw CommandFailure("\(test): \(error.description)")
                    }
                    // The bandwidth this VM gives drifts within seconds (30–59 GB/s on two threads here),
                    // so it is measured next to the decode it bounds. Its 1 GiB buffer must not become
                    // the next tests' peak resident size: where that peak cannot be reset, the probe
                    // waits until the end.
                    if test.kind == .generation && MachineMeasurements.resetPeakResident() {
                        row.bandwidth = MachineMeasurements.readBandwidth(threads: count)
                        MachineMeasurements.resetPeakResident()
                    }
                    rows.append(row)
                }
            }
            guard let lm else { return }
            var bandwidth: [Int: Double] = [:]
            for i in rows.indices where rows[i].result.test.kind == .generation && rows[i].bandwidth == nil {
                let count = rows[i].result.threads
                if bandwidth[count] == nil { bandwidth[count] = MachineMeasurements.readBandwidth(threads: count) }
                rows[i].bandwidth = bandwidth[count]
            }
            let plan = lm.memoryPlan(contextLength: positions)
            json ? printJSON(rows, plan: plan) : printTable(rows, lm: lm, plan: plan)
        }

        private func printJSON(_ rows: [Row], plan: MemoryPlan) {
            for row in rows {
                let r = row.result
                writeOut("""
                    {"test": "\(r.test)", "threads": \(r.threads), "tokens_per_second": \(jsonNumber(r.mean)), \
                    "stddev": \(jsonNumber(r.standardDeviation)), \
                    "roofline_ratio": \(row.rooflineRatio.map(jsonNumber) ?? "null"), \
                    "peak_rss_bytes": \(row.peakResidentBytes), \
                    "bandwidth_bytes_per_second": \(row.bandwidth.map(jsonNumber) ?? "null"), \
                    "bytes_per_token": \(r.bytesPerToken.map(jsonNumber) ?? "null"), "model_bytes": \(plan.weightBytes), \
                    "kv_cache_bytes": \(plan.cacheBytes), "repetitions": \(r.samples.count), \
                    "samples": [\(r.samples.map(jsonNumber).joined(separator: ", "))]}

                    """)
            }
        }

        private func printTable(_ rows: [Row], lm: LanguageModel, plan: MemoryPlan) {
            let parameters = lm.source.parameterCount
            let name = "\(lm.architectureName) \(Self.count(parameters))"
            let size = MemoryPlan.format(plan.weightBytes)
            var lines = ["| model | size | params | threads | test | t/s | roofline |",
                         "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for row in rows {
                let r = row.result
                let ratio = row.rooflineRatio.map { String(format: "%.1f %%", 100 * $0) } ?? ""
                lines.append("| \(name) | \(size) | \(String(format: "%.2f M", Double(parameters) / 1e6)) | \(r.threads) | \(r.test) | "
                             + String(format: "%.2f ± %.2f", r.mean, r.standardDeviation) + " | \(ratio) |")
            }
            lines.append("")
            let speeds = rows.compactMap { row in
                row.bandwidth.map { String(format: "%.1f GB/s after %@ on %d thread%@", $0 / 1e9, row.result.test.description,
                                           row.result.threads, row.result.threads == 1 ? "" : "s") }
            }
            if !speeds.isEmpty { lines.append("memory read bandwidth (1 GiB, best of 5): " + speeds.joined(separator: ", ")) }
            if let tg = rows.first(where: { $0.result.bytesPerToken != nil })?.result, let bytes = tg.bytesPerToken {
                lines.append(String(format: "roofline: one %@ decode step reads %.1f MB (weights %.1f MB, the rest cached keys and values)",
                                    tg.test.description, bytes / 1e6, Double(lm.decodeBytes(contextLength: 0)) / 1e6))
            }
            let peak = rows.map(\.peakResidentBytes).max() ?? 0
            let fileAndCache = plan.weightBytes + plan.cacheBytes
            lines.append("memory: peak RSS \(MemoryPlan.format(peak)); model file \(MemoryPlan.format(plan.weightBytes)) + KV cache "
                         + "\(MemoryPlan.format(plan.cacheBytes)) (\(tests.map(\.positions).max() ?? 0) positions) = \(MemoryPlan.format(fileAndCache)); "
                         + String(format: "peak RSS is %.2f× that", Double(peak) / Double(max(fileAndCache, 1))))
            writeOut(lines.joined(separator: "\n") + "\n")
        }

        /// "494M", "1.5B".
        static func count(_ n: Int) -> String {
            n >= 1_000_000_000 ? String(format: "%.1fB", Double(n) / 1e9) : String(format: "%.0fM", Double(n) / 1e6)
        }
    }
}

/// A comma-separated list of counts, as llama-bench takes them: `-p 64,512`.
struct CountList: ExpressibleByArgument {
    var values: [Int]

    init(_ values: [Int]) { self.values = values }

    init?(argument: String) {
        let parsed = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        values = parsed.compactMap { $0 }
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}

extension Array where Element: Hashable {
    /// The elements in order, each only the first time it appears.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
