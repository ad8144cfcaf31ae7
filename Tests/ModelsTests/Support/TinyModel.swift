// Builds tiny random Llama-, Qwen- and Gemma-style GGUF models in memory and runs a plain float reference forward pass over them.
import Foundation
import GGUF
import TestSupport

/// A tiny decoder with random weights: the shapes of a real one at toy size.
struct TinyModel {
    enum Family: String { case llama, qwen2, qwen3, gemma3 }

    var family: Family
    var vocabulary = 64, embedding = 32, heads = 4, kvHeads = 2, headDimension = 8
    var feedForward = 48, layers = 2, context = 128
    var ropeBase: Float = 10_000, epsilon: Float = 1e-6
    var tiedEmbeddings = false
    /// Gemma 3: positions a local layer's query sees (itself included); every 6th layer is global.
    var slidingWindow = 4
    static let gemmaLocalRopeBase: Float = 10_000
    /// Tensors by GGUF name, as floats in row-major [rows][columns] order.
    var tensors: [String: [Float]] = [:]

    init(family: Family, seed: UInt64 = 1, tiedEmbeddings: Bool = false) {
        self.family = family
        self.tiedEmbeddings = tiedEmbeddings
        if family == .gemma3 {
            layers = 7                     // layer 5 is global, the others local
            ropeBase = 1_000_000
        }
        var random = SplitMix64(seed: seed)
        let q = heads * headDimension, kv = kvHeads * headDimension
        func add(_ name: String, _ count: Int, scale: Float = 0.3, offset: Float = 0) {
            tensors[name] = (0..<count).map { _ in offset + random.float(scale) }
        }
        add("token_embd.weight", vocabulary * embedding, scale: 1)
        add("output_norm.weight", embedding, scale: 0.2, offset: 1)
        if !tiedEmbeddings { add("output.weight", vocabulary * embedding) }
        for l in 0..<layers {
            let p = "blk.\(l)."
            add(p + "attn_norm.weight", embedding, scale: 0.2, offset: 1)
            add(p + "attn_q.weight", q * embedding)
            add(p + "attn_k.weight", kv * embedding)
            add(p + "attn_v.weight", kv * embedding)
            if family == .qwen2 {
                add(p + "attn_q.bias", q, scale: 0.1)
                add(p + "attn_k.bias", kv, scale: 0.1)
                add(p + "attn_v.bias", kv, scale: 0.1)
            }
            if family == .qwen3 || family == .gemma3 {
                add(p + "attn_q_norm.weight", headDimension, scale: 0.2, offset: 1)
                add(p + "attn_k_norm.weight", headDimension, scale: 0.2, offset: 1)
            }
            add(p + "attn_output.weight", embedding * q)
            add(p + "ffn_norm.weight", embedding, scale: 0.2, offset: 1)
            add(p + "ffn_gate.weight", feedForward * embedding)
            add(p + "ffn_up.weight", feedForward * embedding)
            add(p + "ffn_down.weight", embedding * feedForward)
            if family == .gemma3 {
                add(p + "post_attention_norm.weight", embedding, scale: 0.2, offset: 1)
                add(p + "post_ffw_norm.weight", embedding, scale: 0.2, offset: 1)
            }
        }
    }

    /// GGUF dims `[columns, rows]` of each tensor (vectors: `[count]`).
    func dimensions(_ name: String) -> [Int] {
        let q = heads * headDimension, kv = kvHeads * headDimension
        let base = name.split(separator: ".").dropFirst(name.hasPrefix("blk.") ? 2 : 0).joined(separator: ".")
        switch base {
        case "token_embd.weight", "output.weight": return [embedding, vocabulary]
        case "attn_q.weight": return [embedding, q]
        case "attn_k.weight", "attn_v.weight": return [embedding, kv]
        case "attn_output.weight": return [q, embedding]
        case "ffn_gate.weight", "ffn_up.weight": return [embedding, feedForward]
        case "ffn_down.weight": return [feedForward, embedding]
        default: return [tensors[name]!.count]
        }
    }

    /// The model as GGUF bytes, with every tensor in F32.
    func gguf(architectureName: String? = nil, dropping dropped: Set<String> = [],
              reshaping reshaped: [String: [Int]] = [:]) throws -> [UInt8] {
        let arch = architectureName ?? family.rawValue
        var writer = GGUFWriter()
        writer.set("general.architecture", .string(arch))
        writer.set("\(arch).block_count", .uint32(UInt32(layers)))
        writer.set("\(arch).context_length", .uint32(UInt32(context)))
        writer.set("\(arch).embedding_length", .uint32(UInt32(embedding)))
        writer.set("\(arch).feed_forward_length", .uint32(UInt32(feedForward)))
        writer.set("\(arch).attention.head_count", .uint32(UInt32(heads)))
        writer.set("\(arch).attention.head_count_kv", .uint32(UInt32(kvHeads)))
        writer.set("\(arch).attention.key_length", .uint32(UInt32(headDimension)))
        writer.set("\(arch).rope.freq_base", .float32(ropeBase))
        writer.set("\(arch).attention.layer_norm_rms_epsilon", .float32(epsilon))
        writer.set("\(arch).vocab_size", .uint32(UInt32(vocabulary)))
        if family == .gemma3 { writer.set("\(arch).attention.sliding_window", .uint32(UInt32(slidingWindow))) }
        for name in tensors.keys.sorted() where !dropped.contains(name) {
            let values = tensors[name]!
            let bytes = values.withUnsafeBytes { Array($0) }
            var dims = reshaped[name] ?? dimensions(name)
            if reshaped[name] != nil, dims.reduce(1, *) != values.count { dims = [values.count] }
            try writer.addTensor(name: name, type: .f32, dimensions: dims, bytes: bytes)
        }
        return writer.serialized()
    }

    // MARK: Reference forward pass

    /// Next-token logits at every position of `tokens`, computed the plain way:
    /// all positions at once with an explicit causal loop, Double sums, no cache.
    /// Keys, values, queries and attention weights are rounded to Float16 at the
    /// same points as llama.cpp's (and Kinglet's) Float16 KV cache; Gemma's GELU input
    /// and output are rounded to Float16 as ggml's lookup table does.
    /// `ignoringWindow` makes local layers attend globally (to show the window matters);
    /// `exactCache` skips the attention roundings, as a Float32 cache does.
    func referenceLogits(_ tokens: [Int], ignoringWindow: Bool = false, exactCache: Bool = false) -> [[Float]] {
        let gemma = family == .gemma3
        let n = tokens.count, q = heads * headDimension, kv = kvHeads * headDimension
        func w(_ name: String) -> [Float] { tensors[name]! }
        func f16(_ x: Float) -> Float { Float(Float16(x)) }
        func cached(_ x: Float) -> Float { exactCache ? x : f16(x) }
        func matVec(_ m: [Float], rows: Int, _ x: [Float]) -> [Float] {
            (0..<rows).map { r in
                var s = 0.0
                for c in 0..<x.count { s += Double(m[r * x.count + c]) * Double(x[c]) }
                return Float(s)
            }
        }
        func rmsNorm(_ x: [Float], _ weight: [Float]) -> [Float] {
            let mean = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
            let scale = Float(1 / (mean + Double(epsilon)).squareRoot())
            return (0..<x.count).map { x[$0] * scale * weight[$0] }
        }
        func gelu(_ x: Float) -> Float {
            if x <= -10 { return 0 }
            if x >= 10 { return x }
            let v = Double(f16(x))
            return f16(Float(0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * v * (1 + 0.044715 * v * v)))))
        }
        func rope(_ head: [Float], position: Int, base: Float) -> [Float] {
            var out = head
            let half = headDimension / 2
            for i in 0..<half {
                let theta = Double(position) * pow(Double(base), -2 * Double(i) / Double(headDimension))
                let (a, b) = family == .llama ? (2 * i, 2 * i + 1) : (i, i + half)
                out[a] = Float(Double(head[a]) * cos(theta) - Double(head[b]) * sin(theta))
                out[b] = Float(Double(head[a]) * sin(theta) + Double(head[b]) * cos(theta))
            }
            return out
        }
        var x = tokens.map { t in Array(w("token_embd.weight")[(t * embedding)..<((t + 1) * embedding)]) }
        if gemma { x = x.map { $0.map { $0 * Float(embedding).squareRoot() } } }
        for l in 0..<layers {
            let p = "blk.\(l)."
            let local = gemma && l % 6 != 5
            let base = local ? Self.gemmaLocalRopeBase : ropeBase
            let first = { (i: Int) in local && !ignoringWindow ? max(0, i - slidingWindow + 1) : 0 }
            var queries: [[Float]] = [], keys: [[Float]] = [], values: [[Float]] = []
            for i in 0..<n {
                let h = rmsNorm(x[i], w(p + "attn_norm.weight"))
                var qi = matVec(w(p + "attn_q.weight"), rows: q, h)
                var ki = matVec(w(p + "attn_k.weight"), rows: kv, h)
                var vi = matVec(w(p + "attn_v.weight"), rows: kv, h)
                if let b = tensors[p + "attn_q.bias"] { qi = zip(qi, b).map(+) }
                if let b = tensors[p + "attn_k.bias"] { ki = zip(ki, b).map(+) }
                if let b = tensors[p + "attn_v.bias"] { vi = zip(vi, b).map(+) }
                func heads(_ v: [Float], _ count: Int, norm: String) -> [Float] {
                    (0..<count).flatMap { hd -> [Float] in
                        var head = Array(v[(hd * headDimension)..<((hd + 1) * headDimension)])
                        if let nw = tensors[p + norm] { head = rmsNorm(head, nw) }
                        return rope(head, position: i, base: base)
                    }
                }
                queries.append(heads(qi, self.heads, norm: "attn_q_norm.weight").map(cached))
                keys.append(heads(ki, kvHeads, norm: "attn_k_norm.weight").map(cached))
                values.append(vi.map(cached))
            }
            for i in 0..<n {
                var attended = [Float](repeating: 0, count: q)
                for hd in 0..<heads {
                    let g = hd / (heads / kvHeads)
                    var scores = (first(i)...i).map { j -> Double in
                        var s = 0.0
                        for d in 0..<headDimension {
                            s += Double(queries[i][hd * headDimension + d]) * Double(keys[j][g * headDimension + d])
                        }
                        return s / Double(headDimension).squareRoot()
                    }
                    let m = scores.max()!
                    scores = scores.map { exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for j in first(i)...i {
                        let pj = Double(cached(Float(scores[j - first(i)] / total)))
                        for d in 0..<headDimension {
                            attended[hd * headDimension + d] += Float(pj * Double(values[j][g * headDimension + d]))
                        }
                    }
                }
                var o = matVec(w(p + "attn_output.weight"), rows: embedding, attended)
                if gemma { o = rmsNorm(o, w(p + "post_attention_norm.weight")) }
                x[i] = zip(x[i], o).map(+)
                let h = rmsNorm(x[i], w(p + "ffn_norm.weight"))
                let gate = matVec(w(p + "ffn_gate.weight"), rows: feedForward, h)
                let up = matVec(w(p + "ffn_up.weight"), rows: feedForward, h)
                let act = zip(gate, up).map { g, u in gemma ? gelu(g) * u : g / (1 + exp(-g)) * u }
                var down = matVec(w(p + "ffn_down.weight"), rows: embedding, act)
                if gemma { down = rmsNorm(down, w(p + "post_ffw_norm.weight")) }
                x[i] = zip(x[i], down).map(+)
            }
        }
        let output = tensors["output.weight"] ?? w("token_embd.weight")
        return x.map { matVec(output, rows: vocabulary, rmsNorm($0, w("output_norm.weight"))) }
    }
}
