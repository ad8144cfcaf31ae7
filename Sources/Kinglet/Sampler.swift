#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks the next token from logits: greedy at temperature 0, otherwise a
/// seeded draw from `softmax(logits / temperature)`.
///
/// The same seed gives the same tokens on every run and thread count, because
/// the draw depends only on the logits and the seed.
public struct Sampler: Sendable {
    public var temperature: Float
    private var random: Xoshiro256
    private var probabilities: [Float] = []

    public init(temperature: Float, seed: UInt64) {
        self.temperature = temperature
        random = Xoshiro256(seed: seed)
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        if temperature <= 0 { return Self.argmax(logits) }
        if probabilities.count != logits.count { probabilities = Array(repeating: 0, count: logits.count) }
        let maximum = logits[Int(Self.argmax(logits))]
        var sum: Double = 0
        probabilities.withUnsafeMutableBufferPointer { p in
            for i in 0..<logits.count {
                p[i] = expf((logits[i] - maximum) / temperature)
                sum += Double(p[i])
            }
        }
        var target = random.nextUnitDouble() * sum
        for i in 0..<logits.count {
            target -= Double(probabilities[i])
            if target < 0 { return Int32(i) }
        }
        return Self.argmax(logits)   // rounding left a sliver past the end
    }

    /// The index of the largest logit (the first one on ties, as llama.cpp).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            best = i
            bestValue = logits[i]
        }
        return Int32(best)
    }
}

/// Log-probabilities over the full vocabulary.
public enum LogProbabilities {
    /// `log(sum(exp(logits)))`, computed stably in Double.
    public static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Double {
        let maximum = Double(logits[Int(Sampler.argmax(logits))])
        var sum: Double = 0
        for value in logits { sum += exp(Double(value) - maximum) }
        return maximum + log(sum)
    }

    /// The `k` largest logits with their token ids, largest first (lower id first on ties).
    public static func topLogits(_ k: Int, of logits: UnsafeBufferPointer<Float>) -> [(id: Int32, logit: Float)] {
        guard k > 0 else { return [] }
        var best: [(id: Int32, logit: Float)] = []
        best.reserveCapacity(k + 1)
        for i in 0..<logits.count {
            let value = logits[i]
            if best.count == k, let last = best.last, value <= last.logit { continue }
            let at = best.firstIndex { value > $0.logit } ?? best.count
            best.insert((Int32(i), value), at: at)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// The `k` most likely tokens with their log-probabilities, most likely first.
    public static func top(_ k: Int, of logits: UnsafeBufferPointer<Float>, logSumExp: Double) -> [(id: Int32, logprob: Float)] {
        topLogits(k, of: logits).map { ($0.id, Float(Double($0.logit) - logSumExp)) }
    }
}

/// xoshiro256** seeded through SplitMix64: small, fast and identical on every platform.
struct Xoshiro256: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
