import GGUF
import Kernels

/// The pre-norm decoder shared by Llama, Qwen2 and Qwen3: grouped-query
/// attention with RoPE, then a SwiGLU MLP, each wrapped in RMSNorm and a residual.
///
/// References: HF `modeling_llama.py` / `modeling_qwen2.py` / `modeling_qwen3.py`;
/// llama.cpp `src/models/llama.cpp`, `qwen2.cpp`, `qwen3.cpp`. Families differ
/// only in `Options` and in which optional tensors their files carry (biases).
final class TransformerDecoder: Architecture {
    struct Options {
        var ropeStyle: RoPE.Style
        /// RMSNorm of each query and key head before RoPE (Qwen3).
        var qkNorm: Bool = false
    }

    // MARK: Weights

    struct Layer {
        var attentionNorm: UnsafePointer<Float>       // [nEmbd]
        var wq: WeightMatrix                          // [nHead·headDim, nEmbd]
        var wk: WeightMatrix                          // [nKV·headDim, nEmbd]
        var wv: WeightMatrix                          // [nKV·headDim, nEmbd]
        var bq, bk, bv: UnsafePointer<Float>?         // [nHead·headDim], [nKV·headDim] ×2 (Qwen2)
        var qNorm, kNorm: UnsafePointer<Float>?       // [headDim] (Qwen3)
        var wo: WeightMatrix                          // [nEmbd, nHead·headDim]
        var ffnNorm: UnsafePointer<Float>             // [nEmbd]
        var gate: WeightMatrix                        // [nFF, nEmbd]
        var up: WeightMatrix                          // [nFF, nEmbd]
        var down: WeightMatrix                        // [nEmbd, nFF]
    }

    let name: String
    let shape: ModelShape
    private let file: GGUFFile                        // keeps the mapping alive
    private let loader: WeightLoader
    private let hyper: DecoderHyperparameters
    private let options: Options
    private let rope: RoPE
    private let tokenEmbedding: WeightMatrix          // [vocab, nEmbd]
    private let outputNorm: UnsafePointer<Float>      // [nEmbd]
    private let output: WeightMatrix                  // [vocab, nEmbd]; the embedding when tied
    private let layers: [Layer]
    private let scratch: Scratch
    private let pool: WorkerPool

    init(file: GGUFFile, architecture: String, options: Options, load: LoadOptions) throws(ModelError) {
        let hyper = try DecoderHyperparameters(file.metadata, architecture: architecture)
        let s = hyper.shape
        let loader = WeightLoader(file: file)
        let qDim = s.headCount * s.headDimension, kvDim = s.kvDimension
        tokenEmbedding = try loader.matrix("token_embd.weight", rows: s.vocabularySize, columns: s.embeddingLength)
        outputNorm = try loader.vector("output_norm.weight", count: s.embeddingLength)
        output = try loader.optionalMatrix("output.weight", rows: s.vocabularySize, columns: s.embeddingLength)
            ?? tokenEmbedding
        var layers: [Layer] = []
        for i in 0..<s.layerCount {
            let p = "blk.\(i)."
            layers.append(Layer(
                attentionNorm: try loader.vector(p + "attn_norm.weight", count: s.embeddingLength),
                wq: try loader.matrix(p + "attn_q.weight", rows: qDim, columns: s.embeddingLength),
                wk: try loader.matrix(p + "attn_k.weight", rows: kvDim, columns: s.embeddingLength),
                wv: try loader.matrix(p + "attn_v.weight", rows: kvDim, columns: s.embeddingLength),
                bq: try loader.optionalVector(p + "attn_q.bias", count: qDim),
                bk: try loader.optionalVector(p + "attn_k.bias", count: kvDim),
                bv: try loader.optionalVector(p + "attn_v.bias", count: kvDim),
                qNorm: options.qkNorm ? try loader.vector(p + "attn_q_norm.weight", count: s.headDimension) : nil,
                kNorm: options.qkNorm ? try loader.vector(p + "attn_k_norm.weight", count: s.headDimension) : nil,
                wo: try loader.matrix(p + "attn_output.weight", rows: s.embeddingLength, columns: qDim),
                ffnNorm: try loader.vector(p + "ffn_norm.weight", count: s.embeddingLength),
                gate: try loader.matrix(p + "ffn_gate.weight", rows: s.feedForwardLength, columns: s.embeddingLength),
                up: try loader.matrix(p + "ffn_up.weight", rows: s.feedForwardLength, columns: s.embeddingLength),
                down: try loader.matrix(p + "ffn_down.weight", rows: s.embeddingLength, columns: s.feedForwardLength)))
        }
        let frequencyFactors = try loader.optionalVector("rope_freqs.weight", count: hyper.ropeDimensions / 2)
        self.name = architecture
        self.shape = s
        self.file = file
        self.loader = loader
        self.hyper = hyper
        self.options = options
        self.layers = layers
        self.rope = RoPE(style: options.ropeStyle, dimensions: hyper.ropeDimensions, base: hyper.ropeBase,
                         frequencyFactors: frequencyFactors)
        self.pool = WorkerPool(threads: load.threads)
        self.scratch = Scratch(shape: s, maxBatch: max(1, load.maxBatch), threads: pool.threads)
    }

    func makeCache(sequences: Int, capacity: Int) -> KVCache {
        KVCache(layers: shape.layerCount, sequences: sequences, capacity: capacity, kvDimension: shape.kvDimension)
    }

    // MARK: Forward

    func forward(_ batch: Batch, cache: KVCache, logits: UnsafeMutablePointer<Float>) throws(ModelError) {
        try validate(batch, cache: cache)
        let n = batch.count, s = shape, x = scratch
        let nEmbd = s.embeddingLength, qDim = s.headCount * s.headDimension, kvDim = s.kvDimension
        let eps = hyper.rmsEpsilon
        for (i, token) in batch.tokens.enumerated() {
            tokenEmbedding.dequantizeRow(Int(token), into: x.residual + i * nEmbd)      // [n, nEmbd]
        }
        for (l, layer) in layers.enumerated() {
            // Attention block.
            Ops.rmsNorm(x.residual, weight: layer.attentionNorm, x.normed, count: nEmbd, rows: n, epsilon: eps)
            matMul(layer.wq, x.normed, x.q, n, bias: layer.bq)                          // [n, nHead·headDim]
            matMul(layer.wk, x.normed, x.k, n, bias: layer.bk)                          // [n, nKV·headDim]
            matMul(layer.wv, x.normed, x.v, n, bias: layer.bv)                          // [n, nKV·headDim]
            if let qNorm = layer.qNorm, let kNorm = layer.kNorm {
                Ops.rmsNorm(x.q, weight: qNorm, x.q, count: s.headDimension, rows: n * s.headCount, epsilon: eps)
                Ops.rmsNorm(x.k, weight: kNorm, x.k, count: s.headDimension, rows: n * s.kvHeadCount, epsilon: eps)
            }
            for i in 0..<n {
                let position = batch.positions[i]
                rope.apply(x.q + i * qDim, heads: s.headCount, headDimension: s.headDimension, position: position)
                rope.apply(x.k + i * kvDim, heads: s.kvHeadCount, headDimension: s.headDimension, position: position)
                cache.store(layer: l, sequence: batch.sequences[i], position: position,
                            key: x.k + i * kvDim, value: x.v + i * kvDim)
            }
            attention(batch, layer: l, cache: cache)                                    // [n, nHead·headDim]
            matMul(layer.wo, x.attention, x.normed, n)                                  // [n, nEmbd]
            Ops.add(x.residual, x.normed, count: n * nEmbd)
            // Feed-forward block.
            Ops.rmsNorm(x.residual, weight: layer.ffnNorm, x.normed, count: nEmbd, rows: n, epsilon: eps)
            matMul(layer.gate, x.normed, x.gate, n)                                     // [n, nFF]
            matMul(layer.up, x.normed, x.up, n)                                         // [n, nFF]
            Ops.swiGLU(x.gate, x.up, count: n * s.feedForwardLength)
            matMul(layer.down, x.gate, x.normed, n)                                     // [n, nEmbd]
            Ops.add(x.residual, x.normed, count: n * nEmbd)
        }
        for i in 0..<n { cache.didFill(sequence: batch.sequences[i], through: batch.positions[i]) }
        // Only the rows that want logits go through the output norm and the vocabulary matrix.
        for (row, entry) in batch.outputs.enumerated() {
            Ops.rmsNorm(x.residual + entry * nEmbd, weight: outputNorm, x.normed + row * nEmbd,
                        count: nEmbd, epsilon: eps)
        }
        matMul(output, x.normed, logits, batch.outputs.count)                           // [nOut, vocab]
    }

    private func validate(_ batch: Batch, cache: KVCache) throws(ModelError) {
        guard batch.count <= scratch.maxBatch else { throw .batchTooLarge(batch.count, limit: scratch.maxBatch) }
        for i in 0..<batch.count {
            let token = batch.tokens[i], sequence = batch.sequences[i], position = batch.positions[i]
            guard token >= 0 && Int(token) < shape.vocabularySize else {
                throw .tokenOutOfRange(token, vocabularySize: shape.vocabularySize)
            }
            guard sequence >= 0 && sequence < cache.sequences else {
                throw .sequenceOutOfRange(sequence, sequences: cache.sequences)
            }
            guard position >= 0 && position < cache.capacity else {
                throw .contextFull(sequence: sequence, position: position, capacity: cache.capacity)
            }
        }
    }

    private func matMul(_ w: WeightMatrix, _ input: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                        _ tokens: Int, bias: UnsafePointer<Float>? = nil) {
        guard tokens > 0 else { return }
        Ops.matMul(w, input, out, tokens: tokens, scratch: scratch.activations, pool: pool)
        if let bias { Ops.addBias(out, bias, count: w.rows, rows: tokens) }
    }

    /// Each (token, query head) pair attends over its sequence's cache up to its own position.
    private func attention(_ batch: Batch, layer: Int, cache: KVCache) {
        let s = shape, x = scratch
        let qDim = s.headCount * s.headDimension, kvDim = s.kvDimension
        let groupSize = s.headCount / s.kvHeadCount
        let scale = 1 / Float(s.headDimension).squareRoot()
        let tasks = batch.count * s.headCount
        x.reserveScores(cache.capacity * pool.threads)
        let allScores = x.scores
        pool.run { thread, threads in
            let scores = allScores + thread * cache.capacity
            for task in WorkerPool.share(of: tasks, thread: thread, threads: threads) {
                let i = task / s.headCount, head = task % s.headCount
                let kvHead = head / groupSize, sequence = batch.sequences[i]
                Ops.attend(
                    query: x.q + i * qDim + head * s.headDimension,
                    keys: cache.keys(layer: layer, sequence: sequence) + kvHead * s.headDimension,
                    values: cache.values(layer: layer, sequence: sequence) + kvHead * s.headDimension,
                    rowStride: kvDim, length: batch.positions[i] + 1, headDimension: s.headDimension,
                    scale: scale, scores: scores, output: x.attention + i * qDim + head * s.headDimension)
            }
        }
    }

    // MARK: Scratch

    /// Every buffer the forward pass writes, allocated once for `maxBatch` tokens.
    final class Scratch: @unchecked Sendable {
        // @unchecked Sendable: used only inside `forward`, which callers serialize;
        // parallel regions write disjoint slices.
        let maxBatch: Int
        let residual, normed, q, k, v, attention, gate, up: UnsafeMutablePointer<Float>
        private(set) var scores: UnsafeMutablePointer<Float>   // [threads, context capacity]
        private var scoreCount = 0
        let activations = ActivationScratch()
        private var all: [UnsafeMutablePointer<Float>] = []

        init(shape s: ModelShape, maxBatch: Int, threads: Int) {
            self.maxBatch = maxBatch
            func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
                UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            }
            let qDim = s.headCount * s.headDimension
            residual = buffer(maxBatch * s.embeddingLength)
            normed = buffer(maxBatch * max(s.embeddingLength, qDim))
            q = buffer(maxBatch * qDim)
            k = buffer(maxBatch * s.kvDimension)
            v = buffer(maxBatch * s.kvDimension)
            attention = buffer(maxBatch * qDim)
            gate = buffer(maxBatch * s.feedForwardLength)
            up = buffer(maxBatch * s.feedForwardLength)
            scores = buffer(0)
            all = [residual, normed, q, k, v, attention, gate, up]
        }

        /// Makes room for `count` attention scores (grows only, so not per token).
        func reserveScores(_ count: Int) {
            guard count > scoreCount else { return }
            scores.deallocate()
            scores = .allocate(capacity: count)
            scoreCount = count
        }

        deinit {
            for p in all { p.deallocate() }
            scores.deallocate()
        }
    }
}
