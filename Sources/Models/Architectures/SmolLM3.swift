import GGUF
import Kernels

/// SmolLM3: Llama's decoder where every `no_rope_layer_step`-th layer (the 4th, 8th, …) attends
/// without rotary positions ("NoPE"). Its GGUF q/k rows are permuted like Llama's.
/// Reference: HF `modeling_smollm3.py` (`no_rope_layers`); llama.cpp `src/models/smollm3.cpp`
/// (`use_rope = (il + 1) % n_no_rope_layer_step != 0`).
/// llama.cpp fixes the step at 4 (the released models' interval) and has no key for it; Kinglet reads
/// `smollm3.no_rope_layer_step` when present, which only its own converter writes (for checkpoints
/// with another `no_rope_layer_interval`).
enum SmolLM3: ArchitectureFamily {
    static let ggufNames = ["smollm3"]
    /// llama.cpp's `n_no_rope_layer_step`.
    static let defaultNoRopeLayerStep = 4

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        let layers: Int, step: Int
        do throws(GGUFError) {
            layers = try source.metadata.integer("smollm3.block_count")
            step = try source.metadata.optionalInteger("smollm3.no_rope_layer_step") ?? defaultNoRopeLayerStep
        } catch {
            throw .file(error)
        }
        guard step > 0 else { throw .invalidHyperparameter("smollm3.no_rope_layer_step", "must be positive") }
        var decoder = TransformerDecoder.Options(ropeStyle: source.layout == .gguf ? .interleaved : .neox)
        decoder.ropeLayers = (0..<max(layers, 0)).map { ($0 + 1) % step != 0 }
        return try TransformerDecoder(source: source, architecture: "smollm3", options: decoder, load: options)
    }
}
