#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels

/// The gated DeltaNet token mixer between its input and output projections: a causal depthwise
/// convolution over the raw `qkv` projection, SiLU, L2-normalised queries and keys, the gated delta
/// rule with a Float32 state per value head, then an RMSNorm per value head gated by `silu(z)`.
///
/// Qwen3.5 feeds it four separate projections; Qwen3-Next fuses them but runs the same core.
/// Reference: ../shared/specs/qwen35.md §6–§8; HF `Qwen3_5GatedDeltaNet.forward`; llama.cpp
/// `src/models/delta-net-base.cpp`.
struct GatedDeltaNet {
    struct Shape: Equatable {
        var keyHeads: Int             // Hk: query/key heads
        var valueHeads: Int           // Hv: value heads, a multiple of Hk
        var keyDimension: Int         // dk
        var valueDimension: Int       // dv
        var convolutionKernel: Int    // K

        var keyChannels: Int { keyHeads * keyDimension }                      // Ck
        var valueChannels: Int { valueHeads * valueDimension }                // Cv
        var convolutionChannels: Int { 2 * keyChannels + valueChannels }      // Cc: q, k, v
        /// Floats of the convolution window a sequence carries: the last K−1 raw inputs.
        var windowFloats: Int { (convolutionKernel - 1) * convolutionChannels }
        /// Floats of state a sequence carries per layer: the window `[K−1][Cc]`, then `S` `[Hv][dk][dv]`.
        var stateFloats: Int { windowFloats + valueHeads * keyDimension * valueDimension }
    }

    /// Which query/key head a value head reads when there are `r = Hv / Hk` value heads per key head.
    enum HeadOrder {
        /// Value head `h` reads key head `h % Hk`: GGUF, whose converter permutes the value heads
        /// to match llama.cpp's tiled broadcast (spec §10.3).
        case tiled
        /// Value head `h` reads key head `h / r`: Hugging Face checkpoints (`repeat_interleave`).
        case grouped
    }

    let shape: Shape
    let headOrder: HeadOrder
    let convolution: UnsafePointer<Float>   // [Cc, K]; weight K−1 meets the current token
    let decayRate: UnsafePointer<Float>     // [Hv] ssm_a = −exp(A_log)
    let dtBias: UnsafePointer<Float>        // [Hv]
    let norm: UnsafePointer<Float>          // [dv], shared by all value heads, used as stored
    let epsilon: Float

    /// HF's `l2norm` adds 1e-6 inside the square root whatever the model's epsilon.
    static let l2Epsilon: Float = 1e-6

    /// Loads the core's own tensors under `prefix` (`blk.N.`).
    init(_ loader: WeightLoader, prefix p: String, shape s: Shape, headOrder: HeadOrder, epsilon: Float) throws(ModelError) {
        shape = s
        self.headOrder = headOrder
        self.epsilon = epsilon
        convolution = try loader.floats(p + "ssm_conv1d.weight", dimensions: [s.convolutionKernel, s.convolutionChannels])
        decayRate = try loader.vector(p + "ssm_a", count: s.valueHeads)
        dtBias = try loader.vector(p + "ssm_dt.bias", count: s.valueHeads)
        norm = try loader.vector(p + "ssm_norm.weight", count: s.valueDimension)
    }

    func keyHead(ofValueHead h: Int) -> Int {
        switch headOrder {
        case .tiled: h % shape.keyHeads
        case .grouped: h / (shape.valueHeads / shape.keyHeads)
        }
    }

    /// The buffers of one call, `[batch.count, …]` each.
    struct Buffers {
        var mixed: UnsafeMutablePointer<Float>     // [n, Cc]: the qkv projection (overwritten)
        var gate: UnsafeMutablePointer<Float>      // [n, Cv]: the z projection; the mixer's output on return
        var beta: UnsafeMutablePointer<Float>      // [n, Hv]: the b projection (becomes β)
        var alpha: UnsafeMutablePointer<Float>     // [n, Hv]: the a projection (becomes the log-decay g)
        var core: UnsafeMutablePointer<Float>      // [n, Cv]: the delta rule's output
        /// Per thread: `Ops.deltaRuleChunkScratch` floats, for the chunked form.
        var chunkScratch: UnsafeMutablePointer<Float>
    }

    /// Mixes the batch's tokens: on return `buffers.gate` holds what goes into the output projection.
    ///
    /// Entries of one sequence are taken in batch order, whichever other sequences sit between
    /// them; each sequence's state lives in `state` at recurrent layer `layer`.
    /// - Parameter chunked: evaluate runs of several tokens with `Ops.gatedDeltaRuleChunked`.
    func callAsFunction(_ batch: Batch, _ x: Buffers, state: RecurrentState, layer: Int, pool: WorkerPool, chunked: Bool) {
        let s = shape, n = batch.count, cc = s.convolutionChannels
        for i in 0..<n {
            Ops.causalConvolution(x.mixed + i * cc, window: state.state(layer: layer, sequence: batch.sequences[i]),
                                  weights: convolution, channels: cc, kernel: s.convolutionKernel)
        }
        Ops.silu(x.mixed, count: n * cc)
        let queryScale = 1 / Float(s.keyDimension).squareRoot()
        for i in 0..<n {
            // The Hk query heads, then the Hk key heads.
            Ops.l2Normalize(x.mixed + i * cc, count: s.keyDimension, rows: 2 * s.keyHeads, epsilon: Self.l2Epsilon)
            Ops.scale(x.mixed + i * cc, by: queryScale, count: s.keyChannels)
        }
        for i in 0..<(n * s.valueHeads) {
            let h = i % s.valueHeads
            x.beta[i] = 1 / (1 + expf(-x.beta[i]))
            x.alpha[i] = decayRate[h] * Self.softplus(x.alpha[i] + dtBias[h])
        }
        batch.withUnsafeEntries { _, sequences in
            pool.run(Recurrence(net: self, x: x, sequences: sequences, state: state, layer: layer, chunked: chunked))
        }
        Ops.rmsNorm(x.core, weight: norm, x.core, count: s.valueDimension, rows: n * s.valueHeads, epsilon: epsilon)
        Ops.swiGLU(x.gate, x.core, count: n * s.valueChannels)   // silu(z) · norm(o)
    }

    /// `ln(1 + eᵗ)`, which is `t` itself above 20, as torch's `softplus`.
    static func softplus(_ t: Float) -> Float { t > 20 ? t : log1pf(expf(t)) }

    /// The delta rule's parallel region: each thread takes a share of the value heads and, for each,
    /// every run of consecutive same-sequence entries in batch order.
    private struct Recurrence: ParallelWork {
        let net: GatedDeltaNet
        let x: Buffers
        let sequences: UnsafeBufferPointer<Int>
        let state: RecurrentState
        let layer: Int
        let chunked: Bool

        func run(thread: Int, threads: Int) {
            let s = net.shape, cc = s.convolutionChannels, cv = s.valueChannels, hv = s.valueHeads
            let dk = s.keyDimension, dv = s.valueDimension
            let scratch = x.chunkScratch + thread * Ops.deltaRuleChunkScratch(keyDimension: dk, valueDimension: dv)
            for h in WorkerPool.share(of: hv, thread: thread, threads: threads) {
                let kh = net.keyHead(ofValueHead: h)
                var start = 0
                while start < sequences.count {
                    var end = start + 1
                    while end < sequences.count && sequences[end] == sequences[start] { end += 1 }
                    let row = x.mixed + start * cc
                    let head = Ops.DeltaRuleHead(
                        queries: row + kh * dk, keys: row + s.keyChannels + kh * dk, keyStride: cc,
                        values: row + 2 * s.keyChannels + h * dv, valueStride: cc,
                        output: x.core + start * cv + h * dv, outputStride: cv,
                        logDecays: x.alpha + start * hv + h, betas: x.beta + start * hv + h, gateStride: hv,
                        tokens: end - start)
                    let headState = state.state(layer: layer, sequence: sequences[start]) + s.windowFloats + h * dk * dv
                    if chunked && end - start > 1 {
                        Ops.gatedDeltaRuleChunked(head, state: headState, keyDimension: dk, valueDimension: dv, scratch: scratch)
                    } else {
                        Ops.gatedDeltaRule(head, state: headState, keyDimension: dk, valueDimension: dv)
                    }
                    start = end
                }
            }
        }
    }
}
