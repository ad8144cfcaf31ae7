import GGUF

/// Gemma 3 (text): Qwen3-style q/k norms plus Gemma's quirks: embeddings scaled by
/// √nEmbd, a GeGLU MLP, RMSNorms after attention and after the MLP as well as
/// before, tied embeddings, and five local (sliding-window) layers for each global one.
///
/// The GGUF converter already added Gemma's `1 +` to every norm weight, so they are
/// used as stored. Local layers rotate with `rope.freq_base_swa` (10 000 when absent, as
/// llama.cpp assumes), global ones with `rope.freq_base`.
/// Reference: HF `modeling_gemma3.py`; llama.cpp `src/models/gemma3.cpp` and
/// `llama-model.cpp` (`LLM_ARCH_GEMMA3` in `load_hparams`).
enum Gemma3: ArchitectureFamily {
    static let ggufNames = ["gemma3"]
    /// Layer `i` is global when `i % 6 == 5` (llama.cpp `set_swa_pattern(6)`).
    static let globalLayerPeriod = 6
    static let localRopeBase: Float = 10_000

    static func load(_ source: any WeightSource, options: LoadOptions) throws(ModelError) -> any Architecture {
        let arch = "gemma3"
        let layers: Int, window: Int, softcap: Float?, headDimension: Int?, valueLength: Int?, localBase: Float?
        do throws(GGUFError) {
            layers = try source.metadata.integer("\(arch).block_count")
            window = try source.metadata.integer("\(arch).attention.sliding_window")
            localBase = try source.metadata.optionalFloat("\(arch).rope.freq_base_swa")
            softcap = try source.metadata.optionalFloat("\(arch).final_logit_softcapping")
            headDimension = try source.metadata.optionalInteger("\(arch).attention.key_length")
            valueLength = try source.metadata.optionalInteger("\(arch).attention.value_length")
        } catch {
            throw .file(error)
        }
        if let valueLength, valueLength != headDimension {
            throw .invalidHyperparameter("\(arch).attention.value_length", "must equal attention.key_length")
        }
        var decoder = TransformerDecoder.Options(ropeStyle: .neox, qkNorm: true)
        decoder.scaleEmbeddings = true
        decoder.feedForward = .geGLU
        decoder.postNorms = true
        decoder.slidingWindow = .init(
            size: window,
            isLocal: (0..<max(layers, 0)).map { $0 % globalLayerPeriod != globalLayerPeriod - 1 },
            ropeBase: localBase ?? localRopeBase)
        // The 27B model (62 layers) scales queries by 1/√(nEmbd/nHead) instead of 1/√headDim.
        if layers == 62 {
            let embedding: Int, heads: Int
            do throws(GGUFError) {
                embedding = try source.metadata.integer("\(arch).embedding_length")
                heads = try source.metadata.integer("\(arch).attention.head_count")
            } catch {
                throw .file(error)
            }
            if heads > 0 { decoder.attentionScale = 1 / Float(embedding / heads).squareRoot() }
        }
        decoder.finalLogitSoftcap = softcap
        return try TransformerDecoder(source: source, architecture: arch, options: decoder, load: options)
    }
}
