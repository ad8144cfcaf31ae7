import Kernels

/// Llama 2/3 and the families converted as "llama" (SmolLM, Mistral 7B-style).
/// Their GGUF q/k rows are permuted at conversion, so RoPE rotates adjacent pairs; Hugging Face
/// checkpoints keep transformers' rotate-half order.
/// Reference: HF `modeling_llama.py`; llama.cpp `src/models/llama.cpp`.
enum Llama: ArchitectureFamily {
    static let ggufNames = ["llama"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        let style: RoPE.Style = source.layout == .gguf ? .interleaved : .neox
        return try TransformerDecoder(source: source, architecture: "llama", options: .init(ropeStyle: style), load: options)
    }
}
