#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF
import Kernels

/// Qwen3.5, the dense text decoder (GGUF "qwen35"): gated DeltaNet layers (linear attention with a
/// recurrent state) and, every few layers, gated full attention.
///
/// Every layer is RMSNorm → token mixer → residual → RMSNorm → SwiGLU MLP → residual. The mixer is
/// a `GatedDeltaNet` in recurrent layers; in the others it is grouped-query attention whose query
/// projection also yields a sigmoid output gate per head, with q/k RMSNorm and NeoX RoPE over the
/// first `rope.dimension_count` dimensions of each head. Recurrent layers keep no keys or values:
/// the cache holds them for the attention layers only, plus each sequence's recurrent state.
///
/// GGUF stores every zero-centred RMSNorm weight (HF `Qwen3_5RMSNorm`) already as 1 + w and `ssm_a`
/// as −exp(A_log), so all weights are used as stored; a Hugging Face source presents them the same
/// way and differs only in the order of the value heads (`TensorLayout`, spec §10.3).
/// Reference: ../shared/specs/qwen35.md; HF `modeling_qwen3_5.py`; llama.cpp `src/models/qwen35.cpp`.
enum Qwen35: ArchitectureFamily {
    static let ggufNames = ["qwen35"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        try Model(source: source, options: options)
    }
}

// MARK: Configuration

extension Qwen35 {
    /// The `qwen35.*` GGUF keys (spec §10.1).
    struct Hyperparameters {
        /// The keys every decoder has; `shape.layerCount` counts decoder layers, not the MTP blocks.
        var decoder: DecoderHyperparameters
        /// Whether each decoder layer is recurrent (a DeltaNet) rather than full attention.
        var recurrent: [Bool]
        var deltaNet: GatedDeltaNet.Shape

        init(_ metadata: GGUFMetadata) throws(ModelError) {
            let arch = "qwen35"
            decoder = try DecoderHyperparameters(metadata, architecture: arch)
            let blocks = decoder.shape.layerCount
            let nextn: Int, interval: Int, pattern: [Bool]?, valueLength: Int?, inner: Int
            do throws(GGUFError) {
                // Multi-token-prediction blocks come after the decoder's and are counted in block_count.
                nextn = try metadata.optionalInteger("\(arch).nextn_predict_layers") ?? 0
                // llama.cpp's default interval; an explicit per-block pattern wins.
                interval = try metadata.optionalInteger("\(arch).full_attention_interval") ?? 4
                pattern = try Self.flags(metadata, "\(arch).attention.recurrent_layers")
                valueLength = try metadata.optionalInteger("\(arch).attention.value_length")
                let valueHeads = try metadata.integer("\(arch).ssm.time_step_rank")
                inner = try metadata.integer("\(arch).ssm.inner_size")
                deltaNet = GatedDeltaNet.Shape(
                    keyHeads: try metadata.integer("\(arch).ssm.group_count"),
                    valueHeads: valueHeads,
                    keyDimension: try metadata.integer("\(arch).ssm.state_size"),
                    valueDimension: valueHeads > 0 && inner % valueHeads == 0 ? inner / valueHeads : 0,
                    convolutionKernel: try metadata.integer("\(arch).ssm.conv_kernel"))
            } catch {
                throw .file(error)
            }
            let d = deltaNet, layers = blocks - nextn, headDimension = decoder.shape.headDimension
            try Self.check(nextn >= 0 && nextn < blocks, "\(arch).nextn_predict_layers", "must be less than block_count")
            try Self.check(interval > 0, "\(arch).full_attention_interval", "must be positive")
            try Self.check(pattern.map { $0.count >= layers } ?? true, "\(arch).attention.recurrent_layers",
                           "must have a flag for each of the \(layers) decoder layers")
            try Self.check(valueLength.map { $0 == headDimension } ?? true, "\(arch).attention.value_length",
                           "must equal attention.key_length")
            try Self.check((1...64).contains(d.convolutionKernel), "\(arch).ssm.conv_kernel", "must be 1…64")
            try Self.check((1...1024).contains(d.keyHeads), "\(arch).ssm.group_count", "must be 1…1024")
            try Self.check((1...4096).contains(d.valueHeads) && d.valueHeads % d.keyHeads == 0, "\(arch).ssm.time_step_rank",
                           "must be a multiple of ssm.group_count, at most 4096")
            try Self.check((1...4096).contains(d.keyDimension), "\(arch).ssm.state_size", "must be 1…4096")
            try Self.check(inner > 0 && inner % d.valueHeads == 0 && d.valueDimension <= 4096, "\(arch).ssm.inner_size",
                           "must be a positive multiple of ssm.time_step_rank, at most 4096 per value head")
            decoder.shape.layerCount = layers
            recurrent = pattern.map { Array($0.prefix(layers)) } ?? (0..<layers).map { ($0 + 1) % interval != 0 }
        }

        /// A per-block flag array stored as booleans or as integers, or nil when absent.
        private static func flags(_ metadata: GGUFMetadata, _ key: String) throws(GGUFError) -> [Bool]? {
            if case .array(.bools(let flags)) = metadata[key] { return flags }
            return try metadata.optionalIntegers(key)?.map { $0 != 0 }
        }

        private static func check(_ condition: Bool, _ key: String, _ reason: String) throws(ModelError) {
            if !condition { throw .invalidHyperparameter(key, reason) }
        }
    }
}

// MARK: Weights

extension Qwen35 {
    struct Layer {
        var attentionNorm: UnsafePointer<Float>   // [H] attn_norm
        var mixer: Mixer
        var ffnNorm: UnsafePointer<Float>         // [H] post_attention_norm
        var gate: WeightMatrix                    // [I, H]
        var up: WeightMatrix                      // [I, H]
        var down: WeightMatrix                    // [H, I]
    }

    enum Mixer {
        /// Full attention, keeping its keys and values in cache layer `slot`.
        case attention(GatedAttention, slot: Int)
        /// A DeltaNet, keeping its state in recurrent layer `slot` of the cache.
        case deltaNet(DeltaNetLayer, slot: Int)
    }

    struct GatedAttention {
        var wq: WeightMatrix                      // [nH·2D, H]: per head, D query rows then D gate rows
        var wk: WeightMatrix                      // [nKV·D, H]
        var wv: WeightMatrix                      // [nKV·D, H]
        var qNorm: UnsafePointer<Float>           // [D]
        var kNorm: UnsafePointer<Float>           // [D]
        var wo: WeightMatrix                      // [H, nH·D]
    }

    struct DeltaNetLayer {
        var qkv: WeightMatrix                     // [Cc, H] attn_qkv: q (Ck), k (Ck), v (Cv) rows
        var z: WeightMatrix                       // [Cv, H] attn_gate
        var beta: WeightMatrix                    // [Hv, H] ssm_beta
        var alpha: WeightMatrix                   // [Hv, H] ssm_alpha
        var core: GatedDeltaNet                   // convolution, decay, norm
        var out: WeightMatrix                     // [H, Cv] ssm_out
    }

    static func loadLayers(_ loader: WeightLoader, _ hyper: Hyperparameters, headOrder: GatedDeltaNet.HeadOrder) throws(ModelError) -> [Layer] {
        let s = hyper.decoder.shape, d = hyper.deltaNet, h = s.embeddingLength
        let qDim = s.headCount * s.headDimension
        var layers: [Layer] = [], attentionSlots = 0, recurrentSlots = 0
        for i in 0..<s.layerCount {
            let p = "blk.\(i)."
            let mixer: Mixer
            if hyper.recurrent[i] {
                mixer = .deltaNet(DeltaNetLayer(
                    qkv: try loader.matrix(p + "attn_qkv.weight", rows: d.convolutionChannels, columns: h),
                    z: try loader.matrix(p + "attn_gate.weight", rows: d.valueChannels, columns: h),
                    beta: try loader.matrix(p + "ssm_beta.weight", rows: d.valueHeads, columns: h),
                    alpha: try loader.matrix(p + "ssm_alpha.weight", rows: d.valueHeads, columns: h),
                    core: try GatedDeltaNet(loader, prefix: p, shape: d, headOrder: headOrder, epsilon: hyper.decoder.rmsEpsilon),
                    out: try loader.matrix(p + "ssm_out.weight", rows: h, columns: d.valueChannels)), slot: recurrentSlots)
                recurrentSlots += 1
            } else {
                mixer = .attention(GatedAttention(
                    wq: try loader.matrix(p + "attn_q.weight", rows: 2 * qDim, columns: h),
                    wk: try loader.matrix(p + "attn_k.weight", rows: s.kvDimension, columns: h),
                    wv: try loader.matrix(p + "attn_v.weight", rows: s.kvDimension, columns: h),
                    qNorm: try loader.vector(p + "attn_q_norm.weight", count: s.headDimension),
                    kNorm: try loader.vector(p + "attn_k_norm.weight", count: s.headDimension),
                    wo: try loader.matrix(p + "attn_output.weight", rows: h, columns: qDim)), slot: attentionSlots)
                attentionSlots += 1
            }
            layers.append(Layer(
                attentionNorm: try loader.vector(p + "attn_norm.weight", count: h),
                mixer: mixer,
                ffnNorm: try loader.vector(p + "post_attention_norm.weight", count: h),
                gate: try loader.matrix(p + "ffn_gate.weight", rows: s.feedForwardLength, columns: h),
                up: try loader.matrix(p + "ffn_up.weight", rows: s.feedForwardLength, columns: h),
                down: try loader.matrix(p + "ffn_down.weight", rows: h, columns: s.feedForwardLength)))
        }
        return layers
    }
}

// MARK: Forward

extension Qwen35 {
    final class Model: Architecture {
        let name = "qwen35"
        let shape: ModelShape
        private let source: any WeightSource          // keeps the mapping alive
        private let loader: WeightLoader
        private let hyper: Hyperparameters
        private let ends: EmbeddingsAndOutput
        private let layers: [Layer]
        private let rope: RoPE
        private let attentionLayers: Int
        private let recurrentLayers: Int
        private let scratch: Scratch
        private let pool: WorkerPool
        private let cacheElement: KVCache.Element
        /// Whether runs of several tokens go through the delta rule in the chunked form (spec §8)
        /// rather than token by token. Both give the same logits (tested, within 1e-4 relative); the
        /// token loop is the default because it measured 2.5× faster here (one 128×128 head, 512
        /// tokens: 1.2 ms against 3.4 ms), the chunked form having no large products to repay its work.
        var chunkedRecurrence = false

        init(source: any WeightSource, options: LoadOptions) throws(ModelError) {
            let hyper = try Hyperparameters(source.metadata)
            let s = hyper.decoder.shape
            let pool = WorkerPool(threads: options.threads)
            let loader = WeightLoader(source: source, pool: pool)
            ends = try EmbeddingsAndOutput(loader, shape: s)
            layers = try Qwen35.loadLayers(loader, hyper, headOrder: source.layout == .gguf ? .tiled : .grouped)
            rope = RoPE(style: .neox, dimensions: hyper.decoder.ropeDimensions, base: hyper.decoder.ropeBase)
            recurrentLayers = hyper.recurrent.filter { $0 }.count
            attentionLayers = s.layerCount - recurrentLayers
            self.shape = s
            self.source = source
            self.loader = loader
            self.hyper = hyper
            self.pool = pool
            cacheElement = options.cacheElement
            scratch = Scratch(shape: s, deltaNet: hyper.deltaNet, maxBatch: max(1, options.maxBatch), threads: pool.threads)
        }

        func makeCache(sequences: Int, capacity: Int) -> KVCache {
            KVCache(layers: attentionLayers, sequences: sequences, capacity: capacity, kvHeads: shape.kvHeadCount,
                    headDimension: shape.headDimension, element: cacheElement, recurrentLayers: recurrentLayers,
                    recurrentFloats: hyper.deltaNet.stateFloats)
        }

        /// Weights and the attention layers' keys and values as `Architecture` says, plus the
        /// recurrent state each DeltaNet layer reads and writes back: constant in the context length.
        func decodeBytes(contextLength: Int) -> Int {
            var bytes = ends.decodeBytes
            let perPosition = KVCache.bytesPerPosition(layers: 1, kvDimension: shape.kvDimension, element: cacheElement)
            let d = hyper.deltaNet
            for layer in layers {
                var matrices = [layer.gate, layer.up, layer.down]
                switch layer.mixer {
                case .attention(let a, _):
                    matrices += [a.wq, a.wk, a.wv, a.wo]
                    bytes += perPosition * max(contextLength, 0)
                case .deltaNet(let n, _):
                    matrices += [n.qkv, n.z, n.beta, n.alpha, n.out]
                    bytes += 4 * d.convolutionChannels * d.convolutionKernel + 2 * 4 * d.stateFloats
                }
                for w in matrices { bytes += w.byteCount }
            }
            return bytes
        }

        func forward(_ batch: Batch, cache: KVCache, logits: UnsafeMutablePointer<Float>) throws(ModelError) {
            precondition(cache.layers == attentionLayers && (cache.recurrent?.layers ?? 0) == recurrentLayers
                         && cache.kvHeads == shape.kvHeadCount && cache.headDimension == shape.headDimension,
                         "the cache was not made by this model's makeCache")
            try batch.validate(vocabularySize: shape.vocabularySize, limit: scratch.maxBatch, cache: cache)
            if recurrentLayers > 0 { try batch.validateOrder(cache: cache) }
            let n = batch.count, h = shape.embeddingLength, x = scratch, eps = hyper.decoder.rmsEpsilon
            ends.embed(batch, into: x.residual)                                             // [n, H]
            for layer in layers {
                Ops.rmsNorm(x.residual, weight: layer.attentionNorm, x.normed, count: h, rows: n, epsilon: eps)
                switch layer.mixer {
                case .attention(let a, let slot): attention(a, slot: slot, batch, cache)     // x.mixed [n, H]
                case .deltaNet(let d, let slot): deltaNet(d, slot: slot, batch, cache)      // x.mixed [n, H]
                }
                Ops.add(x.residual, x.mixed, count: n * h)
                Ops.rmsNorm(x.residual, weight: layer.ffnNorm, x.normed, count: h, rows: n, epsilon: eps)
                matMul(layer.gate, x.normed, x.gate, n)                                     // [n, I]
                matMul(layer.up, x.normed, x.up, n)                                         // [n, I]
                Ops.swiGLU(x.gate, x.up, count: n * shape.feedForwardLength)
                matMul(layer.down, x.gate, x.mixed, n)                                      // [n, H]
                Ops.add(x.residual, x.mixed, count: n * h)
            }
            for i in 0..<n { cache.didFill(sequence: batch.sequences[i], through: batch.positions[i]) }
            ends.logits(batch, residual: x.residual, normed: x.normed, epsilon: eps, into: logits,   // [nOut, vocab]
                        scratch: x.activations, pool: pool)
        }

        /// Gated full attention (spec §5): `x.normed` → `x.mixed`.
        private func attention(_ a: GatedAttention, slot: Int, _ batch: Batch, _ cache: KVCache) {
            let s = shape, x = scratch, n = batch.count, eps = hyper.decoder.rmsEpsilon
            let d = s.headDimension, heads = s.headCount, qDim = heads * d, kvDim = s.kvDimension
            matMul(a.wq, x.normed, x.queryGate, n)                                          // [n, nH·2D]
            matMul(a.wk, x.normed, x.k, n)                                                  // [n, nKV·D]
            matMul(a.wv, x.normed, x.v, n)                                                  // [n, nKV·D]
            // Each head's D query rows come before its D gate rows: gather the queries.
            for row in 0..<(n * heads) {
                (x.q + row * d).update(from: x.queryGate + row * 2 * d, count: d)           // [n, nH·D]
            }
            Ops.rmsNorm(x.q, weight: a.qNorm, x.q, count: d, rows: n * heads, epsilon: eps)
            Ops.rmsNorm(x.k, weight: a.kNorm, x.k, count: d, rows: n * s.kvHeadCount, epsilon: eps)
            for i in 0..<n {
                let position = batch.positions[i]
                rope.apply(x.q + i * qDim, heads: heads, headDimension: d, position: position)
                rope.apply(x.k + i * kvDim, heads: s.kvHeadCount, headDimension: d, position: position)
                cache.store(layer: slot, sequence: batch.sequences[i], position: position,
                            key: x.k + i * kvDim, value: x.v + i * kvDim)
            }
            x.attention.run(batch, queries: x.q, output: x.attended, cache: cache, layer: slot,
                            window: nil, scale: 1 / Float(d).squareRoot(), pool: pool)     // [n, nH·D]
            for row in 0..<(n * heads) {
                let o = x.attended + row * d, gate = x.queryGate + row * 2 * d + d
                for j in 0..<d { o[j] /= 1 + expf(-gate[j]) }                              // o ⊙ σ(gate)
            }
            matMul(a.wo, x.attended, x.mixed, n)                                            // [n, H]
        }

        /// A gated DeltaNet (spec §6): `x.normed` → `x.mixed`.
        private func deltaNet(_ d: DeltaNetLayer, slot: Int, _ batch: Batch, _ cache: KVCache) {
            let x = scratch, n = batch.count
            matMul(d.qkv, x.normed, x.deltaNet.mixed, n)                                    // [n, Cc]
            matMul(d.z, x.normed, x.deltaNet.gate, n)                                       // [n, Cv]
            matMul(d.beta, x.normed, x.deltaNet.beta, n)                                    // [n, Hv]
            matMul(d.alpha, x.normed, x.deltaNet.alpha, n)                                  // [n, Hv]
            d.core(batch, x.deltaNet, state: cache.recurrent!, layer: slot, pool: pool, chunked: chunkedRecurrence)
            matMul(d.out, x.deltaNet.gate, x.mixed, n)                                      // [n, H]
        }

        private func matMul(_ w: WeightMatrix, _ input: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                            _ tokens: Int) {
            guard tokens > 0 else { return }
            Ops.matMul(w, input, out, tokens: tokens, scratch: scratch.activations, pool: pool)
        }
    }

    /// Every buffer the forward pass writes, allocated once for `maxBatch` tokens.
    final class Scratch: @unchecked Sendable {
        // @unchecked Sendable: used only inside `forward`, which callers serialize;
        // parallel regions write disjoint slices.
        let maxBatch: Int
        let residual, normed, mixed, queryGate, q, k, v, attended, gate, up: UnsafeMutablePointer<Float>
        let deltaNet: GatedDeltaNet.Buffers
        let attention: GroupedAttention
        let activations = ActivationScratch()
        private let memory: OwnedBuffers

        init(shape s: ModelShape, deltaNet d: GatedDeltaNet.Shape, maxBatch: Int, threads: Int) {
            self.maxBatch = maxBatch
            let memory = OwnedBuffers(), buffer = memory.allocate
            let qDim = s.headCount * s.headDimension
            residual = buffer(maxBatch * s.embeddingLength)
            normed = buffer(maxBatch * s.embeddingLength)
            mixed = buffer(maxBatch * s.embeddingLength)
            queryGate = buffer(maxBatch * 2 * qDim)
            q = buffer(maxBatch * qDim)
            k = buffer(maxBatch * s.kvDimension)
            v = buffer(maxBatch * s.kvDimension)
            attended = buffer(maxBatch * qDim)
            gate = buffer(maxBatch * s.feedForwardLength)
            up = buffer(maxBatch * s.feedForwardLength)
            deltaNet = GatedDeltaNet.Buffers(
                mixed: buffer(maxBatch * d.convolutionChannels), gate: buffer(maxBatch * d.valueChannels),
                beta: buffer(maxBatch * d.valueHeads), alpha: buffer(maxBatch * d.valueHeads),
                core: buffer(maxBatch * d.valueChannels),
                chunkScratch: buffer(threads * Ops.deltaRuleChunkScratch(keyDimension: d.keyDimension,
                                                                         valueDimension: d.valueDimension)))
            attention = GroupedAttention(heads: s.headCount, kvHeads: s.kvHeadCount, headDimension: s.headDimension)
            self.memory = memory
        }
    }
}
