import Kernels

/// Llama 2/3 and the families converted as "llama" (SmolLM, Mistral). Their GGUF q/k rows are
/// permuted at conversion, so RoPE rotates adjacent pairs; Hugging Face checkpoints keep
/// transformers' rotate-half order. Llama 3's RoPE scaling arrives as `rope_freqs.weight`, and
/// Mistral's `sliding_window` (`llama.attention.sliding_window`) applies to every layer.
/// Reference: HF `modeling_llama.py`, `modeling_mistral.py`; llama.cpp `src/models/llama.cpp`.
enum Llama: ArchitectureFamily {
    static let ggufNames = ["llama"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        var decoder = TransformerDecoder.Options(ropeStyle: source.layout == .gguf ? .interleaved : .neox)
        decoder.slidingWindow = try .everyLayer(source.metadata, architecture: "llama")
        return try TransformerDecoder(source: source, architecture: "llama", options: decoder, load: options)
    }
}
