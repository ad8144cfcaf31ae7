/// Tokens to run through the model in one forward pass, as in llama.cpp's `llama_batch`.
///
/// Each entry is a token at a position of a sequence, and says whether its
/// next-token logits are wanted. Prompt prefill (many positions of one
/// sequence), single-token decode and several sequences decoding together are
/// all one call. Reuse a batch with `removeAll()` to avoid allocating per token.
public struct Batch: Sendable {
    public private(set) var tokens: [Int32] = []
    public private(set) var positions: [Int] = []
    public private(set) var sequences: [Int] = []
    /// Indices of the entries whose logits are wanted, in order: row `i` of the
    /// logits belongs to entry `outputs[i]`.
    public private(set) var outputs: [Int] = []

    public init() {}

    /// A batch holding `tokens` at positions `start…` of `sequence`, with logits for the last one only.
    public init(tokens: some Collection<Int32>, startingAt start: Int, sequence: Int = 0, allLogits: Bool = false) {
        for (i, token) in tokens.enumerated() {
            add(token, position: start + i, sequence: sequence, logits: allLogits || i == tokens.count - 1)
        }
    }

    public var count: Int { tokens.count }
    public var isEmpty: Bool { tokens.isEmpty }

    public mutating func add(_ token: Int32, position: Int, sequence: Int = 0, logits: Bool) {
        if logits { outputs.append(tokens.count) }
        tokens.append(token)
        positions.append(position)
        sequences.append(sequence)
    }

    /// Calls `body` with the entries' positions and sequences in place (no copies).
    func withUnsafeEntries<R>(_ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>) -> R) -> R {
        positions.withUnsafeBufferPointer { p in sequences.withUnsafeBufferPointer { body(p, $0) } }
    }

    public mutating func removeAll() {
        tokens.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        sequences.removeAll(keepingCapacity: true)
        outputs.removeAll(keepingCapacity: true)
    }
}

extension Batch {
    /// Checks every entry against the model and the cache before anything is computed.
    ///
    /// - Throws: `ModelError.batchTooLarge`, `.tokenOutOfRange`, `.sequenceOutOfRange` or `.contextFull`.
    func validate(vocabularySize: Int, limit: Int, cache: KVCache) throws(ModelError) {
        guard count <= limit else { throw .batchTooLarge(count, limit: limit) }
        for i in 0..<count {
            let token = tokens[i], sequence = sequences[i], position = positions[i]
            guard token >= 0 && Int(token) < vocabularySize else {
                throw .tokenOutOfRange(token, vocabularySize: vocabularySize)
            }
            guard sequence >= 0 && sequence < cache.sequences else {
                throw .sequenceOutOfRange(sequence, sequences: cache.sequences)
            }
            guard position >= 0 && position < cache.capacity else {
                throw .contextFull(sequence: sequence, position: position, capacity: cache.capacity)
            }
        }
    }

    /// Checks that each entry continues its sequence: the next position after the sequence's
    /// earlier entries in this batch, or after what `cache` holds. Recurrent layers read a sequence
    /// strictly in order.
    ///
    /// - Throws: `ModelError.positionOutOfOrder`.
    func validateOrder(cache: KVCache) throws(ModelError) {
        for i in 0..<count {
            let sequence = sequences[i]
            var expected = cache.lengths[sequence]
            // The sequence's previous entry, if any: usually the one just before.
            var j = i - 1
            while j >= 0 {
                if sequences[j] == sequence { expected = positions[j] + 1; break }
                j -= 1
            }
            guard positions[i] == expected else {
                throw .positionOutOfOrder(sequence: sequence, position: positions[i], expected: expected)
            }
        }
    }
}
