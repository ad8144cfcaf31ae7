import ArgumentParser
import Foundation
import Kernels

extension KingletCommand.Bench {
    /// Each weight format's decode kernel against the memory bandwidth measured in the same run.
    struct Kernels: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kernels",
            abstract: "Decode kernel speed per weight format, in cache and from memory, against the read bandwidth.",
            discussion: """
                Times one activation row times a matrix of synthetic weights (the decode step's \
                matrix-vector product), on a matrix that stays in cache and on one far larger than \
                the last-level cache, in GB/s of weights. Right after each format, the memory read \
                bandwidth of the same thread count is measured: an in-cache speed not well above it \
                means decode in that format is bound by the kernel's instructions, not by memory.
                """)

        @Option(help: "Weight formats, comma-separated (default: every quantized format).")
        var formats = FormatList(DecodeKernelBenchmark.formats)

        @Option(help: "Weights per row, a multiple of each format's block (Qwen2.5 1.5B's rows are 1536, 0.5B's 896).")
        var columns = 1536

        @Option(name: .shortAndLong, help: "Threads.")
        var threads = 1

        @Option(help: "Bytes of the matrix that stays in cache.")
        var cachedBytes = 512 << 10

        @Option(help: "Bytes of the matrix streamed from memory.")
        var streamedBytes = 512 << 20

        @Flag(help: "Print one JSON object per format instead of a table.")
        var json = false

        func validate() throws {
            for format in formats.values where columns <= 0 || columns % format.blockSize != 0 {
                throw ValidationError("--columns must be a positive multiple of \(format.name)'s block of \(format.blockSize) weights")
            }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            guard cachedBytes > 0, streamedBytes > 0 else { throw ValidationError("matrix sizes must be positive") }
        }

        func run() throws {
            if !json {
                writeOut("| format | columns | threads | in cache GB/s | from memory GB/s | bandwidth GB/s | in cache ÷ bandwidth | from memory ÷ bandwidth |\n")
                writeOut("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
            }
            for format in formats.values {
                let r = DecodeKernelBenchmark.measure(format, columns: columns, threads: threads,
                                                      cachedBytes: cachedBytes, streamedBytes: streamedBytes)
                let bandwidth = MemoryBandwidth.read(threads: threads)
                let cachedRatio = r.cachedBytesPerSecond / bandwidth, streamedRatio = r.streamedBytesPerSecond / bandwidth
                if json {
                    writeOut("""
                        {"format": "\(format.name)", "columns": \(columns), "threads": \(threads), \
                        "cached_bytes_per_second": \(jsonNumber(r.cachedBytesPerSecond)), \
                        "streamed_bytes_per_second": \(jsonNumber(r.streamedBytesPerSecond)), \
                        "bandwidth_bytes_per_second": \(jsonNumber(bandwidth)), \
                        "cached_ratio": \(jsonNumber(cachedRatio)), "streamed_ratio": \(jsonNumber(streamedRatio))}\n
                        """)
                } else {
                    writeOut(String(format: "| %@ | %d | %d | %.1f | %.1f | %.1f | %.2f | %.2f |\n", format.name, columns,
                                    threads, r.cachedBytesPerSecond / 1e9, r.streamedBytesPerSecond / 1e9, bandwidth / 1e9,
                                    cachedRatio, streamedRatio))
                }
            }
        }
    }
}

/// A comma-separated list of weight formats by their ggml names: `q4_K,q6_K`.
struct FormatList: ExpressibleByArgument {
    var values: [WeightFormat]

    init(_ values: [WeightFormat]) { self.values = values }

    init?(argument: String) {
        let names = argument.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let parsed = names.map { name in DecodeKernelBenchmark.formats.first { $0.name.lowercased() == name } }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        values = parsed.compactMap { $0 }
    }

    var defaultValueDescription: String { values.map(\.name).joined(separator: ",") }

    static var allValueStrings: [String] { DecodeKernelBenchmark.formats.map(\.name) }
}
