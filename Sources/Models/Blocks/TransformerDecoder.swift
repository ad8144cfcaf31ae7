#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Kernels

/// The pre-norm decoder shared by Llama, Qwen2, Qwen3, Gemma 3 and Phi-3: grouped-query
/// attention with RoPE, then a gated MLP, each wrapped in RMSNorm and a residual.
///
/// References: HF `modeling_llama.py` / `modeling_qwen2.py` / `modeling_qwen3.py` /
/// `modeling_gemma3.py` / `modeling_phi3.py`; llama.cpp `src/models/llama.cpp`, `qwen2.cpp`,
/// `qwen3.cpp`, `gemma3.cpp`, `phi3.cpp`. Families differ only in `Options` and in which
/// optional tensors their files carry (biases).
final class TransformerDecoder: Architecture {
    struct Options {
        var ropeStyle: RoPE.Style
        /// RMSNorm of each query and key head before RoPE (Qwen3, Gemma 3).
        var qkNorm: Bool = false
        /// Token embeddings are multiplied by √nEmbd before the first layer (Gemma).
        var scaleEmbeddings: Bool = false
        var feedForward: FeedForward = .swiGLU
        /// An RMSNorm on the attention and on the MLP output before each residual add
        /// (Gemma 2/3: `post_attention_norm`, `post_ffw_norm`).
        var postNorms: Bool = false
        /// Local layers attend to a window of recent positions only (Gemma 3).
        var slidingWindow: SlidingWindow? = nil
        /// Multiplies the scores `q·k` (default `1/√headDim`).
        var attentionScale: Float? = nil
        /// Logits become `cap · tanh(logits / cap)` (Gemma 2, and Gemma 3 files that set it).
        var finalLogitSoftcap: Float? = nil
        /// Q, K and V come from one `attn_qkv` matrix, and gate and up from one `ffn_up` of
        /// 2·nFF rows, gate first (Phi-3); each is used as row ranges of the one matrix.
        var fusedProjections: Bool = false
        /// Whether each layer rotates its queries and keys; nil when all do. SmolLM3's "NoPE"
        /// layers (every 4th) attend without positions.
        var ropeLayers: [Bool]? = nil
    }

    enum FeedForward {
        /// `silu(gate) · up` (Llama, Qwen).
        case swiGLU
        /// `gelu_tanh(gate) · up` (Gemma).
        case geGLU
    }

    /// Local attention on some or all layers (llama.cpp's `LLAMA_SWA_TYPE_STANDARD`; transformers'
    /// `sliding_window` mask, `kv_idx > q_idx - sliding_window`).
    struct SlidingWindow {
        /// A local layer's query at position p sees keys at positions p - size + 1 … p.
        var size: Int
        /// Whether each layer is local (the others see the whole context); nil when all are (Mistral).
        var isLocal: [Bool]?
        /// RoPE base of local layers when it differs from `rope.freq_base` (Gemma 3); such layers
        /// also skip linear RoPE scaling, as llama.cpp's `rope_freq_scale_train_swa` does.
        var ropeBase: Float? = nil

        /// The window `<arch>.attention.sliding_window` puts on every layer, or nil when the key
        /// is absent or 0 (Mistral's `sliding_window`; llama.cpp's converter writes 0 for none).
        static func everyLayer(_ metadata: GGUFMetadata, architecture arch: String) throws(ModelError) -> SlidingWindow? {
            let size: Int?
            do { size = try metadata.optionalInteger("\(arch).attention.sliding_window") } catch { throw .file(error) }
            guard let size, size != 0 else { return nil }
            return SlidingWindow(size: size, isLocal: nil)
        }
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
        var postAttentionNorm: UnsafePointer<Float>?  // [nEmbd] (Gemma)
        var postFeedForwardNorm: UnsafePointer<Float>? // [nEmbd] (Gemma)
        /// nil for a layer without positions (SmolLM3's NoPE layers).
        var rope: RoPE?
        /// Positions a query sees, itself included; nil for the whole context.
        var window: Int?
    }

    let name: String
    let shape: ModelShape
    private let source: any WeightSource              // keeps the mapping alive
    private let loader: WeightLoader
    private let hyper: DecoderHyperparameters
    private let options: Options
    private let ends: EmbeddingsAndOutput
    private let layers: [Layer]
    private let scratch: Scratch
    private let pool: WorkerPool
    private let cacheElement: KVCache.Element

    init(source: any WeightSource, architecture: String, options: Options, load: LoadOptions) throws(ModelError) {
        let hyper = try DecoderHyperparameters(source.metadata, architecture: architecture)
        let s = hyper.shape
        let pool = WorkerPool(threads: load.threads)
        let loader = WeightLoader(source: source, pool: pool)
        let qDim = s.headCount * s.headDimension, kvDim = s.kvDimension
        ends = try EmbeddingsAndOutput(loader, shape: s)
        let frequencyFactors = try loader.optionalVector("rope_freqs.weight", count: hyper.ropeDimensions / 2)
        let globalRope = RoPE(style: options.ropeStyle, dimensions: hyper.ropeDimensions, base: hyper.ropeBase,
                              frequencyFactors: loader.scaled(frequencyFactors, by: hyper.ropeLinearScale,
                                                              count: hyper.ropeDimensions / 2))
        if let ropeLayers = options.ropeLayers, ropeLayers.count != s.layerCount {
            throw .invalidHyperparameter("\(architecture).no_rope_layer_step", "must give a pattern for each of \(s.layerCount) layers")
        }
        if let window = options.slidingWindow, window.size <= 0 || (window.isLocal.map { $0.count != s.layerCount } ?? false) {
            throw .invalidHyperparameter("\(architecture).attention.sliding_window",
                                         "must be positive, with a local/global pattern for each of \(s.layerCount) layers")
        }
        var layers: [Layer] = []
        for i in 0..<s.layerCount {
            let p = "blk.\(i)."
            var rope = globalRope, window: Int?
            if let sliding = options.slidingWindow, sliding.isLocal?[i] ?? true {
                if let base = sliding.ropeBase {
                    rope = RoPE(style: options.ropeStyle, dimensions: hyper.ropeDimensions, base: base,
                                frequencyFactors: frequencyFactors)
                }
                window = sliding.size
            }
            let fused = options.fusedProjections
            let (wq, wk, wv) = try TransformerDecoder.attentionProjections(
                loader, p, qDim: qDim, kvDim: kvDim, columns: s.embeddingLength, fused: fused)
            let (gate, up) = try TransformerDecoder.gateAndUp(
                loader, p, rows: s.feedForwardLength, columns: s.embeddingLength, fused: fused)
            layers.append(Layer(
                attentionNorm: try loader.vector(p + "attn_norm.weight", count: s.embeddingLength),
                wq: wq, wk: wk, wv: wv,
                bq: try loader.optionalVector(p + "attn_q.bias", count: qDim),
                bk: try loader.optionalVector(p + "attn_k.bias", count: kvDim),
                bv: try loader.optionalVector(p + "attn_v.bias", count: kvDim),
                qNorm: options.qkNorm ? try loader.vector(p + "attn_q_norm.weight", count: s.headDimension) : nil,
                kNorm: options.qkNorm ? try loader.vector(p + "attn_k_norm.weight", count: s.headDimension) : nil,
                wo: try loader.matrix(p + "attn_output.weight", rows: s.embeddingLength, columns: qDim),
                ffnNorm: try loader.vector(p + "ffn_norm.weight", count: s.embeddingLength),
                gate: gate, up: up,
                down: try loader.matrix(p + "ffn_down.weight", rows: s.embeddingLength, columns: s.feedForwardLength),
                postAttentionNorm: options.postNorms
                    ? try loader.vector(p + "post_attention_norm.weight", count: s.embeddingLength) : nil,
                postFeedForwardNorm: options.postNorms
                    ? try loader.vector(p + "post_ffw_norm.weight", count: s.embeddingLength) : nil,
                rope: options.ropeLayers?[i] ?? true ? rope : nil, window: window))
        }
        self.name = architecture
        self.shape = s
        self.source = source
        self.loader = loader
        self.hyper = hyper
        self.options = options
        self.layers = layers
        self.pool = pool
        self.cacheElement = load.cacheElement
        self.scratch = Scratch(shape: s, maxBatch: max(1, load.maxBatch), threads: pool.threads)
    }

    /// Q, K and V projections: three matrices, or row ranges of one fused `attn_qkv`
    /// (`[q rows | k rows | v rows]`, as HF Phi-3's `qkv_proj` is split).
    private static func attentionProjections(_ loader: WeightLoader, _ p: String, qDim: Int, kvDim: Int, columns: Int,
                                             fused: Bool) throws(ModelError) -> (WeightMatrix, WeightMatrix, WeightMatrix) {
        guard fused else {
            return (try loader.matrix(p + "attn_q.weight", rows: qDim, columns: columns),
                    try loader.matrix(p + "attn_k.weight", rows: kvDim, columns: columns),
                    try loader.matrix(p + "attn_v.weight", rows: kvDim, columns: columns))
        }
        let qkv = try loader.matrix(p + "attn_qkv.weight", rows: qDim + 2 * kvDim, columns: columns)
        return (qkv.rows(0..<qDim), qkv.rows(qDim..<qDim + kvDim), qkv.rows(qDim + kvDim..<qDim + 2 * kvDim))
    }

    /// Gate and up projections: two matrices, or the halves of one `ffn_up` of 2·nFF rows, gate
    /// first (HF Phi-3's `gate_up_proj`, chunked in two; llama.cpp's fused SwiGLU).
    private static func gateAndUp(_ loader: WeightLoader, _ p: String, rows: Int, columns: Int,
                                  fused: Bool) throws(ModelError) -> (WeightMatrix, WeightMatrix) {
        guard fused else {
            return (try loader.matrix(p + "ffn_gate.weight", rows: rows, columns: columns),
                    try loader.matrix(p + "ffn_up.weight", rows: rows, columns: columns))
        }
        let gateUp = try loader.matrix(p + "ffn_up.weight", rows: 2 * rows, columns: columns)
        return (gateUp.rows(0..<rows), gateUp.rows(rows..<2 * rows))
    }

    func makeCache(sequences: Int, capacity: Int) -> KVCache {
        KVCache(layers: shape.layerCount, sequences: sequences, capacity: capacity, kvHeads: shape.kvHeadCount,
                headDimension: shape.headDimension, element: cacheElement)
    }

    func decodeBytes(contextLength: Int) -> Int {
        var bytes = ends.decodeBytes
        let perPosition = KVCache.bytesPerPosition(layers: 1, kvDimension: shape.kvDimension, element: cacheElement)
        for layer in layers {
            for w in [layer.wq, layer.wk, layer.wv, layer.wo, layer.gate, layer.up, layer.down] { bytes += w.byteCount }
            bytes += perPosition * min(max(contextLength, 0), layer.window ?? .max)
        }
        return bytes
    }

    // MARK: Forward

    func forward(_ batch: Batch, cache: KVCache, logits: UnsafeMutablePointer<Float>) throws(ModelError) {
        try batch.validate(vocabularySize: shape.vocabularySize, limit: scratch.maxBatch, cache: cache)
        let n = batch.count, s = shape, x = scratch
        let nEmbd = s.embeddingLength, qDim = s.headCount * s.headDimension, kvDim = s.kvDimension
        let eps = hyper.rmsEpsilon
        let attentionScale = options.attentionScale ?? 1 / Float(s.headDimension).squareRoot()
        ends.embed(batch, into: x.residual)                                             // [n, nEmbd]
        if options.scaleEmbeddings {
            Ops.scale(x.residual, by: Float(nEmbd).squareRoot(), count: n * nEmbd)
        }
        for (l, layer) in layers.enumerated() {
            // Attention block.
            forEachToken(n) { t in
                Ops.rmsNorm(x.residual + t.lowerBound * nEmbd, weight: layer.attentionNorm,
                            x.normed + t.lowerBound * nEmbd, count: nEmbd, rows: t.count, epsilon: eps)
            }
            matMul(layer.wq, x.normed, x.q, n, bias: layer.bq)                          // [n, nHead·headDim]
            matMul(layer.wk, x.normed, x.k, n, bias: layer.bk)                          // [n, nKV·headDim]
            matMul(layer.wv, x.normed, x.v, n, bias: layer.bv)                          // [n, nKV·headDim]
            forEachToken(n) { t in
                if let qNorm = layer.qNorm, let kNorm = layer.kNorm {
                    let q = x.q + t.lowerBound * qDim, k = x.k + t.lowerBound * kvDim
                    Ops.rmsNorm(q, weight: qNorm, q, count: s.headDimension, rows: t.count * s.headCount, epsilon: eps)
                    Ops.rmsNorm(k, weight: kNorm, k, count: s.headDimension, rows: t.count * s.kvHeadCount, epsilon: eps)
                }
                for i in t {
                    let position = batch.positions[i]
                    layer.rope?.apply(x.q + i * qDim, heads: s.headCount, headDimension: s.headDimension, position: position)
                    layer.rope?.apply(x.k + i * kvDim, heads: s.kvHeadCount, headDimension: s.headDimension, position: position)
                    cache.store(layer: l, sequence: batch.sequences[i], position: position,
                                key: x.k + i * kvDim, value: x.v + i * kvDim)
                }
            }
            // In place: each head's output replaces its query.
            x.attention.run(batch, queries: x.q, output: x.q, cache: cache, layer: l,
                            window: layer.window, scale: attentionScale, pool: pool)    // [n, nHead·headDim]
            matMul(layer.wo, x.q, x.normed, n)                                          // [n, nEmbd]
            forEachToken(n) { t in
                let normed = x.normed + t.lowerBound * nEmbd, residual = x.residual + t.lowerBound * nEmbd
                if let norm = layer.postAttentionNorm {
                    Ops.rmsNorm(normed, weight: norm, normed, count: nEmbd, rows: t.count, epsilon: eps)
                }
                Ops.add(residual, normed, count: t.count * nEmbd)
                // Feed-forward block.
                Ops.rmsNorm(residual, weight: layer.ffnNorm, normed, count: nEmbd, rows: t.count, epsilon: eps)
            }
            // A chunk of tokens at a time, so the two widest buffers hold a chunk rather than a
            // whole batch (the products stream the weights once per 64 tokens anyway).
            for chunk in stride(from: 0, to: n, by: Self.feedForwardChunk) {
                let m = min(Self.feedForwardChunk, n - chunk), rows = x.normed + chunk * nEmbd
                matMul(layer.gate, rows, x.gate, m)                                     // [m, nFF]
                matMul(layer.up, rows, x.up, m)                                         // [m, nFF]
                forEachToken(m) { t in
                    let nFF = s.feedForwardLength, offset = t.lowerBound * nFF
                    switch options.feedForward {
                    case .swiGLU: Ops.swiGLU(x.gate + offset, x.up + offset, count: t.count * nFF)
                    case .geGLU: Ops.geGLU(x.gate + offset, x.up + offset, count: t.count * nFF)
                    }
                }
                matMul(layer.down, x.gate, rows, m)                                     // [m, nEmbd]
            }
            forEachToken(n) { t in
                let normed = x.normed + t.lowerBound * nEmbd
                if let norm = layer.postFeedForwardNorm {
                    Ops.rmsNorm(normed, weight: norm, normed, count: nEmbd, rows: t.count, epsilon: eps)
                }
                Ops.add(x.residual + t.lowerBound * nEmbd, normed, count: t.count * nEmbd)
            }
        }
        for i in 0..<n { cache.didFill(sequence: batch.sequences[i], through: batch.positions[i]) }
        ends.logits(batch, residual: x.residual, normed: x.normed, epsilon: eps, into: logits,   // [nOut, vocab]
                    scratch: x.activations, pool: pool)
        if let cap = options.finalLogitSoftcap {
            // As ggml: scale by 1/cap, tanh, scale by cap.
            let inverse = 1 / cap
            for i in 0..<(batch.outputs.count * s.vocabularySize) { logits[i] = tanhf(logits[i] * inverse) * cap }
        }
    }

    /// Whether each layer attends to a sliding window (local) rather than the whole context.
    var localLayers: [Bool] { layers.map { $0.window != nil } }

    private func matMul(_ w: WeightMatrix, _ input: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                        _ tokens: Int, bias: UnsafePointer<Float>? = nil) {
        guard tokens > 0 else { return }
        Ops.matMul(w, input, out, tokens: tokens, scratch: scratch.activations, pool: pool)
        if let bias {
            forEachToken(tokens) { t in
                Ops.addBias(out + t.lowerBound * w.rows, bias, count: w.rows, rows: t.count)
            }
        }
    }

    /// Tokens that go through the feed-forward block together (`Ops.matMul`'s token tile).
    static let feedForwardChunk = 64

    /// Runs `body` over `0..<n` tokens: split among the pool's threads for a prompt, at once for
    /// a few tokens (a closure region boxes its closure, which decode does not pay for). Each
    /// token's result is the same either way.
    private func forEachToken(_ n: Int, _ body: (Range<Int>) -> Void) {
        guard n >= 32 && pool.threads > 1 else { return body(0..<n) }
        pool.run { thread, threads in
            let share = WorkerPool.share(of: n, thread: thread, threads: threads)
            if !share.isEmpty { body(share) }
        }
    }

    // MARK: Scratch

    /// Every buffer the forward pass writes, allocated once for `maxBatch` tokens.
    final class Scratch: @unchecked Sendable {
        // @unchecked Sendable: used only inside `forward`, which callers serialize;
        // parallel regions write disjoint slices.
        let maxBatch: Int
        let residual, normed, q, k, v, gate, up: UnsafeMutablePointer<Float>
        let attention: GroupedAttention
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
            gate = buffer(min(maxBatch, TransformerDecoder.feedForwardChunk) * s.feedForwardLength)
            up = buffer(min(maxBatch, TransformerDecoder.feedForwardChunk) * s.feedForwardLength)
            attention = GroupedAttention(heads: s.headCount, kvHeads: s.kvHeadCount, headDimension: s.headDimension)
            all = [residual, normed, q, k, v, gate, up]
        }

        deinit { for p in all { p.deallocate() } }
    }
}
