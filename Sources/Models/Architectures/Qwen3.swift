import GGUF

/// Qwen3 (dense): Qwen2 without the q/k/v biases, with an RMSNorm on every
/// query and key head before RoPE.
/// Reference: HF `modeling_qwen3.py`; llama.cpp `src/models/qwen3.cpp`.
enum Qwen3: ArchitectureFamily {
    static let ggufNames = ["qwen3"]

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        try TransformerDecoder(source: source, architecture: "qwen3", options: .init(ropeStyle: .neox, qkNorm: true), load: options)
    }
}
