import GGUF

/// Qwen2 and Qwen2.5: Llama's decoder with q/k/v biases and NeoX-style RoPE.
/// Reference: HF `modeling_qwen2.py`; llama.cpp `src/models/qwen2.cpp`.
enum Qwen2: ArchitectureFamily {
    static let ggufNames = ["qwen2"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        try TransformerDecoder(source: source, architecture: "qwen2", options: .init(ropeStyle: .neox), load: options)
    }
}
