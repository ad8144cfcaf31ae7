import GGUF

/// Llama 2/3 and the families converted as "llama" (SmolLM, Mistral 7B-style).
/// Their GGUF q/k rows are permuted at conversion, so RoPE rotates adjacent pairs.
/// Reference: HF `modeling_llama.py`; llama.cpp `src/models/llama.cpp`.
enum Llama: ArchitectureFamily {
    static let ggufNames = ["llama"]

    static func load(_ file: GGUFFile, options: LoadOptions) throws(ModelError) -> any Architecture {
        try TransformerDecoder(file: file, architecture: "llama", options: .init(ropeStyle: .interleaved), load: options)
    }
}
