import Foundation

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
