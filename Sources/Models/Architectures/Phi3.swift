import GGUF

/// Phi-3 and Phi-4 mini (GGUF "phi3"): Llama's decoder with fused projections, one
/// `attn_qkv` for Q, K and V and one `ffn_up` holding gate then up, and NeoX-style RoPE over
/// the first `rope.dimension_count` dims of each head. A positive `phi3.attention.sliding_window`
/// applies to every layer, as transformers masks it (llama.cpp turns Phi's window off).
/// LongRoPE (`rope_factors_long`/`_short`, with a cos/sin scale that depends on the context
/// length) is refused rather than run without it.
/// Reference: HF `modeling_phi3.py`; llama.cpp `src/models/phi3.cpp`.
enum Phi3: ArchitectureFamily {
    static let ggufNames = ["phi3"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        for name in ["rope_factors_long.weight", "rope_factors_short.weight"] where source.weight(named: name) != nil {
            throw .invalidHyperparameter(name, "LongRoPE scaling (Phi-3 128k, Phi-3.5) is not supported yet; use a 4k-context Phi-3")
        }
        var decoder = TransformerDecoder.Options(ropeStyle: .neox)
        decoder.fusedProjections = true
        decoder.slidingWindow = try .everyLayer(source.metadata, architecture: "phi3")
        return try TransformerDecoder(source: source, architecture: "phi3", options: decoder, load: options)
    }
}
