import Kernels

/// Causal grouped-query attention of a batch's queries over one layer of a `KVCache`, split
/// between a worker pool's threads. Shared by `TransformerDecoder` and Qwen3.5's full-attention
/// layers; owns the per-thread score scratch, which grows with the context and never per token.
final class GroupedAttention: @unchecked Sendable {
    // @unchecked Sendable: used only inside a model's `forward`, which callers serialize;
    // the parallel region's threads write disjoint slices.
    let heads: Int
    let kvHeads: Int
    let headDimension: Int
    private var scores: UnsafeMutablePointer<Float>
    private var scoreCount = 0

    init(heads: Int, kvHeads: Int, headDimension: Int) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDimension = headDimension
        scores = .allocate(capacity: 1)
    }

    deinit { scores.deallocate() }

    /// Each entry's query heads attend over its sequence's cached keys and values in `layer` up to
    /// its own position, from `window - 1` positions back when there is a window. Query head `h`
    /// reads key/value head `h / (heads / kvHeads)`.
    ///
    /// The heads sharing a key/value head go together (the cache is read once for all of them),
    /// split into as many parts as it takes to keep every thread busy.
    /// - Parameters:
    ///   - queries: `[batch.count, heads·headDimension]`.
    ///   - output: `[batch.count, heads·headDimension]`; may be `queries` itself.
    func run(_ batch: Batch, queries: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
             cache: KVCache, layer: Int, window: Int?, scale: Float, pool: WorkerPool) {
        let groupSize = heads / kvHeads
        let groups = batch.count * kvHeads
        let parts = min(groupSize, max(1, (pool.threads + groups - 1) / groups))
        let headsPerPart = (groupSize + parts - 1) / parts
        let perThread = Ops.attentionScratch(heads: headsPerPart, length: cache.capacity, headDimension: headDimension)
        reserveScores(pool.threads * perThread)
        batch.withUnsafeEntries { positions, sequences in
            pool.run(Work(
                heads: heads, kvHeads: kvHeads, headDimension: headDimension, layer: layer,
                window: window ?? Int.max, cache: cache, queries: queries, output: output,
                scores: scores, scoresPerThread: perThread, positions: positions, sequences: sequences,
                headsPerPart: headsPerPart, scale: scale))
        }
    }

    /// Makes room for `count` scores (grows only, so not per token).
    private func reserveScores(_ count: Int) {
        guard count > scoreCount else { return }
        scores.deallocate()
        scores = .allocate(capacity: count)
        scoreCount = count
    }

    /// The parallel region: (token, key/value head, part of its query heads) tasks split between
    /// the threads, each thread with its own score scratch.
    private struct Work: ParallelWork {
        let heads, kvHeads, headDimension, layer, window: Int
        let cache: KVCache
        let queries: UnsafePointer<Float>
        let output: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>
        let scoresPerThread: Int
        let positions: UnsafeBufferPointer<Int>
        let sequences: UnsafeBufferPointer<Int>
        let headsPerPart: Int
        let scale: Float

        func run(thread: Int, threads: Int) {
            let qDim = heads * headDimension
            let groupSize = heads / kvHeads
            let parts = (groupSize + headsPerPart - 1) / headsPerPart
            let scores = self.scores + thread * scoresPerThread
            for task in WorkerPool.share(of: positions.count * kvHeads * parts, thread: thread, threads: threads) {
                let i = task / (kvHeads * parts), kvHead = (task / parts) % kvHeads
                let firstHead = kvHead * groupSize + (task % parts) * headsPerPart
                let count = min(headsPerPart, (kvHead + 1) * groupSize - firstHead)
                let sequence = sequences[i], position = positions[i]
                let first = window == Int.max ? 0 : max(0, position - window + 1)
                cache.attend(
                    layer: layer, sequence: sequence, kvHead: kvHead, positions: first..<(position + 1),
                    query: queries + i * qDim + firstHead * headDimension, heads: count,
                    scale: scale, scores: scores, output: output + i * qDim + firstHead * headDimension)
            }
        }
    }
}
