// Running a model over a whole token sequence and comparing logits: what the architecture tests share.
import Models

/// Logits of every position of `tokens`, run as one batch from position 0 of a fresh cache.
func allLogits(_ model: any Architecture, _ tokens: [Int]) throws -> [[Float]] {
    let cache = model.makeCache(sequences: 1, capacity: 64)
    let vocabulary = model.shape.vocabularySize
    var logits = [Float](repeating: .nan, count: tokens.count * vocabulary)
    let batch = Batch(tokens: tokens.map(Int32.init), startingAt: 0, allLogits: true)
    try logits.withUnsafeMutableBufferPointer { try model.forward(batch, cache: cache, logits: $0.baseAddress!) }
    return (0..<tokens.count).map { Array(logits[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
}

/// The largest |a − b| over all positions and tokens.
func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
    zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
}

/// Logits of every position when the first `prefill` tokens go as one batch and the rest one
/// at a time, and the cache they filled.
func prefillThenDecode(_ model: any Architecture, _ tokens: [Int], prefill: Int) throws -> (logits: [[Float]], cache: KVCache) {
    let cache = model.makeCache(sequences: 1, capacity: 64)
    let vocabulary = model.shape.vocabularySize
    var prefillLogits = [Float](repeating: 0, count: prefill * vocabulary)
    let batch = Batch(tokens: tokens[..<prefill].map(Int32.init), startingAt: 0, allLogits: true)
    try prefillLogits.withUnsafeMutableBufferPointer { try model.forward(batch, cache: cache, logits: $0.baseAddress!) }
    var stepwise = (0..<prefill).map { Array(prefillLogits[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
    var logits = [Float](repeating: 0, count: vocabulary)
    for position in prefill..<tokens.count {
        let step = Batch(tokens: [Int32(tokens[position])], startingAt: position)
        try logits.withUnsafeMutableBufferPointer { try model.forward(step, cache: cache, logits: $0.baseAddress!) }
        stepwise.append(logits)
    }
    return (stepwise, cache)
}
