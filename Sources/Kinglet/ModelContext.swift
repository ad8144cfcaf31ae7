import Models

/// One sequence being evaluated: its tokens so far and their cached keys and values.
///
/// Feed it tokens with `append`; the logits after the last token are then in
/// `lastLogits`. Owned by one task at a time.
public final class ModelContext {
    public let model: LanguageModel
    /// Positions this context can hold.
    public let capacity: Int
    /// Every token evaluated so far, in order.
    public private(set) var tokens: [Int32] = []
    private let cache: KVCache
    /// Saved places to come back to (recurrent models only, newest last): their state cannot be cut
    /// back, so `truncate` returns to the longest of these that still fits instead of starting over.
    private var checkpoints: [CacheCheckpoint] = []
    /// How many checkpoints are kept: enough for the end of the last prompt and of the last answer.
    static let checkpointLimit = 4
    private let logits: UnsafeMutablePointer<Float>
    private let logitRows: Int
    private var batch = Batch()

    public init(model: LanguageModel, capacity: Int? = nil) {
        self.model = model
        self.capacity = capacity ?? model.contextLength
        cache = model.makeCache(sequences: 1, capacity: self.capacity)
        logitRows = Self.logitRows(for: model)
        logits = .allocate(capacity: logitRows * model.shape.vocabularySize)
        tokens.reserveCapacity(self.capacity)   // so appending a decoded token never reallocates
    }

    deinit { logits.deallocate() }

    /// Rows of logits a context keeps: all-position logits come in chunks of this many
    /// positions, so the buffer stays near 64 MB even for a 256k vocabulary.
    static func logitRows(for model: LanguageModel) -> Int {
        max(1, min(model.options.maxBatch, (64 << 20) / (4 * model.shape.vocabularySize)))
    }

    /// Next-token logits after the last appended token (`vocabularySize` values), valid until the next `append`.
    public var lastLogits: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: logits, count: model.shape.vocabularySize)
    }

    /// Evaluates `newTokens` after the ones already in the context.
    ///
    /// - Throws: `KingletError.promptTooLong` when they do not fit, before evaluating any.
    public func append<Tokens: RandomAccessCollection<Int32>>(_ newTokens: Tokens) throws(KingletError)
    where Tokens.Index == Int {
        try append(newTokens, chunk: model.options.maxBatch, allLogits: false) { _, _ in }
    }

    /// Evaluates `newTokens` and calls `body(index, logits)` with the next-token logits after each of them.
    public func append(_ newTokens: [Int32], eachLogits body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(KingletError) {
        try append(newTokens, chunk: logitRows, allLogits: true, body)
    }

    /// Forgets every token.
    public func reset() { truncate(to: 0) }

    /// Keeps at most the first `count` tokens (their cached keys and values stay valid).
    /// `lastLogits` is stale until the next `append`.
    ///
    /// Models with recurrent layers (Qwen3.5) cannot cut their state back to any position: they
    /// keep the longest checkpoint within `count`, or nothing. `tokens.count` says what was kept.
    public func truncate(to count: Int) {
        guard count < tokens.count else { return }
        var kept = cache.truncate(sequence: 0, to: count)
        if kept < count, let checkpoint = checkpoints.last(where: { $0.length <= count && $0.length > kept }) {
            cache.restore(checkpoint, sequence: 0)
            kept = checkpoint.length
        }
        tokens.removeSubrange(kept...)
        checkpoints.removeAll { $0.length > kept }
    }

    /// Remembers the state after the current tokens, for `truncate` to return to. Only recurrent
    /// models need it (others can truncate anywhere); for them it copies the recurrent state.
    public func checkpoint() {
        guard cache.recurrent != nil, checkpoints.last?.length != tokens.count else { return }
        checkpoints.append(cache.checkpoint(sequence: 0))
        if checkpoints.count > Self.checkpointLimit { checkpoints.removeFirst() }
    }

    private func append<Tokens: RandomAccessCollection<Int32>>(
        _ newTokens: Tokens, chunk: Int, allLogits: Bool, _ body: (Int, UnsafeBufferPointer<Float>) -> Void
    ) throws(KingletError) where Tokens.Index == Int {
        guard tokens.count + newTokens.count <= capacity else {
            throw .promptTooLong(tokens: tokens.count + newTokens.count, context: capacity)
        }
        let vocabulary = model.shape.vocabularySize
        var start = 0
        while start < newTokens.count {
            let end = min(start + chunk, newTokens.count)
            batch.removeAll()
            for i in start..<end {
                batch.add(newTokens[newTokens.startIndex + i], position: tokens.count + i - start, logits: allLogits || i == newTokens.count - 1)
            }
            let batch = self.batch, cache = self.cache, logits = self.logits
            try model.withArchitecture { architecture throws(KingletError) in
                do throws(ModelError) {
                    try architecture.forward(batch, cache: cache, logits: logits)
                } catch {
                    throw .model(error)
                }
            }
            tokens.append(contentsOf: newTokens[(newTokens.startIndex + start)..<(newTokens.startIndex + end)])
            if allLogits {
                for row in 0..<(end - start) {
                    body(start + row, UnsafeBufferPointer(start: logits + row * vocabulary, count: vocabulary))
                }
            }
            start = end
        }
        if allLogits, newTokens.count > 0 {
            // Keep `lastLogits` meaning "after the last token" in this mode too.
            let lastRow = (newTokens.count - 1) % chunk
            if lastRow != 0 { logits.update(from: logits + lastRow * vocabulary, count: vocabulary) }
        }
    }
}
