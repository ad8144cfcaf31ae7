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
        var best: [Sampler.Candidate] = []
        Sampler.selectTop(k, of: logits, into: &best)
        return best.map { ($0.id, $0.logit) }
    }

    /// The `k` most likely tokens with their log-probabilities, most likely first.
    public static func top(_ k: Int, of logits: UnsafeBufferPointer<Float>, logSumExp: Double) -> [(id: Int32, logprob: Float)] {
        topLogits(k, of: logits).map { ($0.id, Float(Double($0.logit) - logSumExp)) }
    }
}
