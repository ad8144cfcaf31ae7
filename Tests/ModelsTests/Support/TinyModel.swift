// Builds tiny random Llama-style GGUF models in memory and runs a plain float reference forward pass over them.
import Foundation
import GGUF
import TestSupport

/// A tiny decoder with random weights: the shapes of a real one at toy size.
struct TinyModel {
    enum Family: String { case llama, qwen2, qwen3 }

    var family: Family
    var vocabulary = 64, embedding = 32, heads = 4, kvHeads = 2, headDimension = 8
    var feedForward = 48, layers = 2, context = 128
    var ropeBase: Float = 10_000, epsilon: Float = 1e-6
    var tiedEmbeddings = false
    /// Tensors by GGUF name, as floats in row-major [rows][columns] order.
    var tensors: [String: [Float]] = [:]

    init(family: Family, seed: UInt64 = 1, tiedEmbeddings: Bool = false) {
        self.family = family
        self.tiedEmbeddings = tiedEmbeddings
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
            if family == .qwen3 {
                add(p + "attn_q_norm.weight", headDimension, scale: 0.2, offset: 1)
                add(p + "attn_k_norm.weight", headDimension, scale: 0.2, offset: 1)
            }
            add(p + "attn_output.weight", embedding * q)
            add(p + "ffn_norm.weight", embedding, scale: 0.2, offset: 1)
            add(p + "ffn_gate.weight", feedForward * embedding)
            add(p + "ffn_up.weight", feedForward * embedding)
            add(p + "ffn_down.weight", embedding * feedForward)
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
    /// same points as llama.cpp's (and Kinglet's) Float16 KV cache.
    func referenceLogits(_ tokens: [Int]) -> [[Float]] {
        let n = tokens.count, q = heads * headDimension, kv = kvHeads * headDimension
        func w(_ name: String) -> [Float] { tensors[name]! }
        func f16(_ x: Float) -> Float { Float(Float16(x)) }
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
        func rope(_ head: [Float], position: Int) -> [Float] {
            var out = head
            let half = headDimension / 2
            for i in 0..<half {
                let theta = Double(position) * pow(Double(ropeBase), -2 * Double(i) / Double(headDimension))
                let (a, b) = family == .llama ? (2 * i, 2 * i + 1) : (i, i + half)
                out[a] = Float(Double(head[a]) * cos(theta) - Double(head[b]) * sin(theta))
                out[b] = Float(Double(head[a]) * sin(theta) + Double(head[b]) * cos(theta))
            }
            return out
        }
        var x = tokens.map { t in Array(w("token_embd.weight")[(t * embedding)..<((t + 1) * embedding)]) }
        for l in 0..<layers {
            let p = "blk.\(l)."
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
                        return rope(head, position: i)
                    }
                }
                queries.append(heads(qi, self.heads, norm: "attn_q_norm.weight").map(f16))
                keys.append(heads(ki, kvHeads, norm: "attn_k_norm.weight").map(f16))
                values.append(vi.map(f16))
            }
            for i in 0..<n {
                var attended = [Float](repeating: 0, count: q)
                for hd in 0..<heads {
                    let g = hd / (heads / kvHeads)
                    var scores = (0...i).map { j -> Double in
                        var s = 0.0
                        for d in 0..<headDimension {
                            s += Double(queries[i][hd * headDimension + d]) * Double(keys[j][g * headDimension + d])
                        }
                        return s / Double(headDimension).squareRoot()
                    }
                    let m = scores.max()!
                    scores = scores.map { exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for j in 0...i {
                        let pj = Double(f16(Float(scores[j] / total)))
                        for d in 0..<headDimension {
                            attended[hd * headDimension + d] += Float(pj * Double(values[j][g * headDimension + d]))
                        }
                    }
                }
                let o = matVec(w(p + "attn_output.weight"), rows: embedding, attended)
                x[i] = zip(x[i], o).map(+)
                let h = rmsNorm(x[i], w(p + "ffn_norm.weight"))
                let gate = matVec(w(p + "ffn_gate.weight"), rows: feedForward, h)
                let up = matVec(w(p + "ffn_up.weight"), rows: feedForward, h)
                let act = zip(gate, up).map { g, u in g / (1 + exp(-g)) * u }
                x[i] = zip(x[i], matVec(w(p + "ffn_down.weight"), rows: embedding, act)).map(+)
            }
        }
        let output = tensors["output.weight"] ?? w("token_embd.weight")
        return x.map { matVec(output, rows: vocabulary, rmsNorm($0, w("output_norm.weight"))) }
    }
}
