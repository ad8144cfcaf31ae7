import Foundation
import Kernels

/// One of llama-bench's tests: `pp N` evaluates N prompt tokens from an empty cache
/// (in chunks of the model's largest batch, as generation does); `tg N` decodes N
/// tokens one forward pass at a time from an empty cache. With a `depth` D (llama-bench's
/// `-d`), D tokens are evaluated first, untimed, so the test runs at context D. Tokens are
/// random ids from a fixed seed, fed back without sampling.
public struct SpeedTest: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Prompt processing.
        case prompt
        /// Text generation.
        case generation
    }

    public var kind: Kind
    public var tokens: Int
    /// Tokens already in the cache when the timed part starts.
    public var depth = 0

    public static func prompt(_ tokens: Int, depth: Int = 0) -> SpeedTest { SpeedTest(kind: .prompt, tokens: tokens, depth: depth) }
    public static func generation(_ tokens: Int, depth: Int = 0) -> SpeedTest {
        SpeedTest(kind: .generation, tokens: tokens, depth: depth)
    }

    /// "pp512", "tg128", "tg128 @ d4096" (llama-bench's names).
    public var description: String { (kind == .prompt ? "pp" : "tg") + "\(tokens)" + (depth > 0 ? " @ d\(depth)" : "") }

    /// Positions the test fills.
    public var positions: Int { depth + tokens }
}

/// The timed repetitions of one `SpeedTest`.
public struct SpeedResult: Sendable {
    public let test: SpeedTest
    public let threads: Int
    /// Tokens per second of each timed repetition.
    public let samples: [Double]
    /// For a generation test, the mean bytes one of its decode steps reads (`LanguageModel.decodeBytes`); nil for a prompt test.
    public let bytesPerToken: Double?

    public var mean: Double { samples.reduce(0, +) / Double(max(samples.count, 1)) }

    /// The sample standard deviation (0 for a single repetition).
    public var standardDeviation: Double {
        guard samples.count > 1 else { return 0 }
        let m = mean
        return (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(samples.count - 1)).squareRoot()
    }

    /// Measured speed over the speed at which `bandwidth` bytes/s could stream the bytes each token reads;
    /// nil for a prompt test, which is bound by arithmetic, not memory.
    public func rooflineRatio(bandwidth: Double) -> Double? {
        guard let bytesPerToken, bytesPerToken > 0, bandwidth > 0 else { return nil }
        return mean / (bandwidth / bytesPerToken)
    }
}

extension LanguageModel {
    /// Runs `test` once to warm up, then `repetitions` times, each from an empty cache (filled to
    /// the test's depth first, untimed).
    public func measureSpeed(_ test: SpeedTest, repetitions: Int, seed: UInt64 = 1234) throws(KingletError) -> SpeedResult {
        let count = max(test.tokens, 1), depth = max(test.depth, 0)
        let context = ModelContext(model: self, capacity: depth + count)
        var random = Xoshiro256(seed: seed)
        let vocabulary = UInt64(shape.vocabularySize)
        let prefix = (0..<depth).map { _ in Int32(truncatingIfNeeded: random.next() % vocabulary) }
        let tokens = (0..<count).map { _ in Int32(truncatingIfNeeded: random.next() % vocabulary) }
        let clock = ContinuousClock()
        var samples: [Double] = []
        for run in 0...max(repetitions, 1) {
            context.reset()
            try context.append(prefix)
            let start = clock.now
            switch test.kind {
            case .prompt:
                try context.append(tokens)
            case .generation:
                for token in tokens { try context.append(CollectionOfOne(token)) }
            }
            let elapsed = clock.now - start
            if run > 0 { samples.append(Double(count) / elapsed.seconds) }
        }
        var bytesPerToken: Double?
        if test.kind == .generation {
            // Step i attends to depth + i + 1 positions.
            bytesPerToken = (1...count).reduce(0.0) { $0 + Double(decodeBytes(contextLength: depth + $1)) } / Double(count)
        }
        return SpeedResult(test: test, threads: options.threads, samples: samples, bytesPerToken: bytesPerToken)
    }
}

/// Facts about the machine and the process that put a speed in context.
public enum MachineMeasurements {
    /// Read bandwidth in bytes per second of `threads` threads streaming a `bytes`-byte buffer
    /// (default 1 GiB, far beyond any cache), the best of `passes`; see `Kernels.MemoryBandwidth`.
    ///
    /// The buffer counts towards the process's peak resident size: measure after reading that.
    public static func readBandwidth(threads: Int, bytes: Int = 1 << 30, passes: Int = 5) -> Double {
        MemoryBandwidth.read(threads: threads, bytes: bytes, passes: passes)
    }

    /// Resets `peakResidentBytes` to the current resident size (Linux's `clear_refs`), so a
    /// buffer freed since stops counting; false where that is not possible.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        #if os(Linux)
        guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? file.close() }
        return (try? file.write(contentsOf: Data("5".utf8))) != nil
        #else
        return false
        #endif
    }

    /// The most memory this process has had resident, in bytes (mapped model pages included):
    /// Linux's `VmHWM`, or `getrusage`'s maximum resident set size elsewhere.
    public static func peakResidentBytes() -> Int {
        #if os(Linux)
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kibibytes = Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).dropLast(3)
                                   .trimmingCharacters(in: .whitespaces)) {
            return kibibytes * 1024
        }
        #endif
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss)          // bytes on macOS
        #else
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024   // KiB on Linux
        #endif
    }
}
