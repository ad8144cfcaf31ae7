#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The arithmetic of a gated DeltaNet layer (Qwen3.5, Qwen3-Next): its causal convolution, the L2
// norm of queries and keys, and the gated delta rule that updates a Float32 state per value head.
// Reference: ../shared/specs/qwen35.md §6 (token loop) and §8 (chunked form); HF
// `torch_recurrent_gated_delta_rule` / `torch_chunk_gated_delta_rule`.

extension Ops {
    /// One value head's inputs and outputs for a run of consecutive tokens of one sequence.
    ///
    /// Token `t`'s query and key (`keyDimension` floats each, already L2-normalised, the query
    /// scaled by 1/√keyDimension) start `t * keyStride` after `queries` and `keys`; its value and
    /// output (`valueDimension` floats) `t * valueStride` and `t * outputStride` after theirs; its
    /// log-decay `g ≤ 0` and write strength `β` `t * gateStride` after theirs.
    public struct DeltaRuleHead {
        public var queries: UnsafePointer<Float>
        public var keys: UnsafePointer<Float>
        public var keyStride: Int
        public var values: UnsafePointer<Float>
        public var valueStride: Int
        public var output: UnsafeMutablePointer<Float>
        public var outputStride: Int
        public var logDecays: UnsafePointer<Float>
        public var betas: UnsafePointer<Float>
        public var gateStride: Int
        public var tokens: Int

        public init(queries: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyStride: Int,
                    values: UnsafePointer<Float>, valueStride: Int,
                    output: UnsafeMutablePointer<Float>, outputStride: Int,
                    logDecays: UnsafePointer<Float>, betas: UnsafePointer<Float>, gateStride: Int, tokens: Int) {
            self.queries = queries
            self.keys = keys
            self.keyStride = keyStride
            self.values = values
            self.valueStride = valueStride
            self.output = output
            self.outputStride = outputStride
            self.logDecays = logDecays
            self.betas = betas
            self.gateStride = gateStride
            self.tokens = tokens
        }

        /// Tokens `start..<start+count` of this run.
        func slice(_ start: Int, _ count: Int) -> DeltaRuleHead {
            DeltaRuleHead(queries: queries + start &* keyStride, keys: keys + start &* keyStride, keyStride: keyStride,
                          values: values + start &* valueStride, valueStride: valueStride,
                          output: output + start &* outputStride, outputStride: outputStride,
                          logDecays: logDecays + start &* gateStride, betas: betas + start &* gateStride,
                          gateStride: gateStride, tokens: count)
        }
    }

    /// The gated delta rule over `head.tokens` tokens, one token at a time:
    /// `S ← e^g S`, `δ = β (v − Sᵀk)`, `S ← S + k δᵀ`, `o = Sᵀq`.
    ///
    /// - Parameter state: the head's `[keyDimension][valueDimension]` Float32 state, updated in place.
    public static func gatedDeltaRule(_ head: DeltaRuleHead, state: UnsafeMutablePointer<Float>,
                                      keyDimension dk: Int, valueDimension dv: Int) {
        for t in 0..<head.tokens {
            let q = head.queries + t &* head.keyStride, k = head.keys + t &* head.keyStride
            let decay = expf(head.logDecays[t &* head.gateStride]), beta = head.betas[t &* head.gateStride]
            // o = (e^g S)ᵀq + (q·k) δ reads the decayed state once for both Sᵀk and Sᵀq.
            let qk = dot(q, k, count: dk)
            let v = head.values + t &* head.valueStride, o = head.output + t &* head.outputStride
            // Columns are independent: each block of 16 lives in registers through both passes.
            var j = 0
            while j &+ 16 <= dv {
                var memory = SIMD16<Float>(), read = SIMD16<Float>()
                for i in 0..<dk {
                    let row = UnsafeMutableRawPointer(state + (i &* dv &+ j))
                    let s = row.loadUnaligned(as: SIMD16<Float>.self) * decay
                    row.storeBytes(of: s, as: SIMD16<Float>.self)
                    memory = memory.addingProduct(SIMD16(repeating: k[i]), s)
                    read = read.addingProduct(SIMD16(repeating: q[i]), s)
                }
                let delta = beta * (UnsafeRawPointer(v + j).loadUnaligned(as: SIMD16<Float>.self) - memory)
                UnsafeMutableRawPointer(o + j).storeBytes(of: read.addingProduct(SIMD16(repeating: qk), delta),
                                                          as: SIMD16<Float>.self)
                for i in 0..<dk {
                    let row = UnsafeMutableRawPointer(state + (i &* dv &+ j))
                    row.storeBytes(of: row.loadUnaligned(as: SIMD16<Float>.self).addingProduct(SIMD16(repeating: k[i]), delta),
                                   as: SIMD16<Float>.self)
                }
                j &+= 16
            }
            while j < dv {
                var memory: Float = 0, read: Float = 0
                for i in 0..<dk {
                    let s = state[i &* dv &+ j] * decay
                    state[i &* dv &+ j] = s
                    memory += k[i] * s
                    read += q[i] * s
                }
                let delta = beta * (v[j] - memory)
                o[j] = read + qk * delta
                for i in 0..<dk { state[i &* dv &+ j] += k[i] * delta }
                j &+= 1
            }
        }
    }

    /// Tokens the chunked form takes at once (HF and llama.cpp use 64 too).
    public static let deltaRuleChunk = 64

    /// Scratch floats `gatedDeltaRuleChunked` needs.
    public static func deltaRuleChunkScratch(keyDimension dk: Int, valueDimension dv: Int) -> Int {
        deltaRuleChunk &* (1 &+ 2 &* deltaRuleChunk &+ dk &+ dv)
    }

    /// The same rule as `gatedDeltaRule`, evaluated per chunk of up to `deltaRuleChunk` tokens in
    /// the algebraically equal form of the spec's §8 (the WY / UT-transform form HF's
    /// `torch_chunk_gated_delta_rule` uses): most of the work becomes dot products between the
    /// chunk's tokens instead of passes over the state.
    ///
    /// - Parameter scratch: `deltaRuleChunkScratch(keyDimension:valueDimension:)` floats.
    public static func gatedDeltaRuleChunked(_ head: DeltaRuleHead, state: UnsafeMutablePointer<Float>,
                                             keyDimension dk: Int, valueDimension dv: Int,
                                             scratch: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < head.tokens {
            let count = min(deltaRuleChunk, head.tokens &- start)
            deltaRuleChunk(head.slice(start, count), state: state, keyDimension: dk, valueDimension: dv, scratch: scratch)
            start &+= count
        }
    }

    private static func deltaRuleChunk(_ head: DeltaRuleHead, state: UnsafeMutablePointer<Float>,
                                       keyDimension dk: Int, valueDimension dv: Int,
                                       scratch: UnsafeMutablePointer<Float>) {
        let c = head.tokens, size = deltaRuleChunk
        @inline(__always) func q(_ t: Int) -> UnsafePointer<Float> { head.queries + t &* head.keyStride }
        @inline(__always) func k(_ t: Int) -> UnsafePointer<Float> { head.keys + t &* head.keyStride }
        @inline(__always) func beta(_ t: Int) -> Float { head.betas[t &* head.gateStride] }
        let gamma = scratch                       // [c]: cumulative log-decay γ_t = g_1 + … + g_t
        let a = gamma + size                      // [c][c]: β_t (k_t·k_s) e^(γ_t−γ_s), s < t
        let p = a + size &* size                  // [c][c]: (q_t·k_s) e^(γ_t−γ_s), s ≤ t
        let u = p + size &* size                  // [c][dv]: U, then Vn = U − W S0
        let w = u + size &* dv                    // [c][dk]: W
        var sum: Float = 0
        for t in 0..<c {
            sum += head.logDecays[t &* head.gateStride]
            gamma[t] = sum
        }
        // Differences γ_t − γ_s, never e^γ_t / e^γ_s, so a long strong decay cannot underflow to 0/0.
        for t in 0..<c {
            for s in 0...t {
                let decay = expf(gamma[t] - gamma[s])
                p[t &* size &+ s] = dot(q(t), k(s), count: dk) * decay
                if s < t { a[t &* size &+ s] = beta(t) * dot(k(t), k(s), count: dk) * decay }
            }
        }
        // (I + A) U = diag(β) V and (I + A) W = diag(β e^γ) K, by forward substitution.
        for t in 0..<c {
            let ut = u + t &* dv, wt = w + t &* dk
            let v = head.values + t &* head.valueStride, kt = k(t), bt = beta(t), scale = bt * expf(gamma[t])
            for j in 0..<dv { ut[j] = bt * v[j] }
            for i in 0..<dk { wt[i] = scale * kt[i] }
            for s in 0..<t {
                let coefficient = -a[t &* size &+ s]
                axpy(ut, coefficient, u + s &* dv, count: dv)
                axpy(wt, coefficient, w + s &* dk, count: dk)
            }
        }
        // Vn_t = U_t − S0ᵀ W_t, and o_t = e^γ_t S0ᵀ q_t + Σ_{s≤t} P_ts Vn_s, before S0 changes.
        for t in 0..<c {
            let ut = u + t &* dv, wt = w + t &* dk, qt = q(t), o = head.output + t &* head.outputStride
            o.initialize(repeating: 0, count: dv)
            for i in 0..<dk {
                let row = UnsafePointer(state + i &* dv)
                axpy(ut, -wt[i], row, count: dv)
                axpy(o, qt[i], row, count: dv)
            }
            scale(o, by: expf(gamma[t]), count: dv)
            for s in 0...t { axpy(o, p[t &* size &+ s], u + s &* dv, count: dv) }
        }
        // S = e^γ_c S0 + Σ_s e^(γ_c−γ_s) k_s Vn_sᵀ.
        let total = gamma[c &- 1]
        for s in 0..<c { gamma[s] = expf(total - gamma[s]) }
        let chunkDecay = expf(total)
        for i in 0..<dk {
            let row = state + i &* dv
            scale(row, by: chunkDecay, count: dv)
            for s in 0..<c { axpy(row, gamma[s] * k(s)[i], u + s &* dv, count: dv) }
        }
    }

    /// One token of a causal depthwise convolution, in place: channel `c` becomes
    /// `Σ_j weights[c·kernel + j] · W_j[c]` over the window `W = [window rows…, x]` (oldest first),
    /// and the window moves on by one (its `kernel − 1` rows keep the latest raw inputs).
    ///
    /// - Parameters:
    ///   - x: `channels` raw inputs of this token; the convolution's output on return.
    ///   - window: `[kernel − 1][channels]`, the previous raw inputs (zeros at a sequence's start).
    ///   - weights: `[channels][kernel]`; `weights[c·kernel + kernel − 1]` meets the current token.
    public static func causalConvolution(_ x: UnsafeMutablePointer<Float>, window: UnsafeMutablePointer<Float>,
                                         weights: UnsafePointer<Float>, channels: Int, kernel: Int) {
        let past = kernel &- 1
        for c in 0..<channels {
            let w = weights + c &* kernel
            var sum: Float = 0
            for j in 0..<past { sum += w[j] * window[j &* channels &+ c] }
            sum += w[past] * x[c]
            if past > 0 {
                for j in 0..<(past &- 1) { window[j &* channels &+ c] = window[(j &+ 1) &* channels &+ c] }
                window[(past &- 1) &* channels &+ c] = x[c]
            }
            x[c] = sum
        }
    }

    /// `x / sqrt(Σx² + epsilon)` for each of `rows` rows of `count` values, in place (the L2 norm of
    /// FLA and HF's `l2norm`, with epsilon inside the square root).
    public static func l2Normalize(_ x: UnsafeMutablePointer<Float>, count: Int, rows: Int = 1, epsilon: Float) {
        for r in 0..<rows {
            let row = x + r &* count
            scale(row, by: 1 / (dot(row, row, count: count) + epsilon).squareRoot(), count: count)
        }
    }

    /// `Σ x[i]·y[i]`.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i &+ 16 <= count {
            acc = acc.addingProduct(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self),
                                    UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self))
            i &+= 16
        }
        var sum = acc.total
        while i < count { sum += x[i] * y[i]; i &+= 1 }
        return sum
    }

    /// `y[i] += a·x[i]`.
    @inline(__always)
    static func axpy(_ y: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, count: Int) {
        let scale = SIMD16<Float>(repeating: a)
        var i = 0
        while i &+ 16 <= count {
            let out = UnsafeMutableRawPointer(y + i)
            out.storeBytes(of: out.loadUnaligned(as: SIMD16<Float>.self)
                            .addingProduct(scale, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)),
                           as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count { y[i] += a * x[i]; i &+= 1 }
    }
}
