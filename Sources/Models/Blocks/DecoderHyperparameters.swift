import GGUF

/// The `<arch>.*` GGUF keys of a Llama-style decoder.
struct DecoderHyperparameters {
    var shape: ModelShape
    var ropeBase: Float
    var ropeDimensions: Int
    /// Positions are divided by this: `rope.scaling.type` "linear" with `rope.scaling.factor`
    /// (llama.cpp's `freq_scale = 1/factor`; Gemma 3 4B+ on its global layers). 1 otherwise.
    var ropeLinearScale: Float
    var rmsEpsilon: Float

    init(_ metadata: GGUFMetadata, architecture arch: String) throws(ModelError) {
        do throws(GGUFError) {
            let embedding = try metadata.integer("\(arch).embedding_length")
            let heads = try metadata.integer("\(arch).attention.head_count")
            // Defaults below are llama.cpp's (llama-model.cpp, load_hparams).
            let kvHeads = try metadata.optionalInteger("\(arch).attention.head_count_kv") ?? heads
            let headDimension = try metadata.optionalInteger("\(arch).attention.key_length")
                ?? (heads > 0 ? embedding / heads : 0)
            let tokens = try metadata.optionalStrings("tokenizer.ggml.tokens")?.count
            let vocabulary = try metadata.optionalInteger("\(arch).vocab_size") ?? tokens ?? 0
            shape = ModelShape(
                vocabularySize: vocabulary,
                embeddingLength: embedding,
                layerCount: try metadata.integer("\(arch).block_count"),
                headCount: heads,
                kvHeadCount: kvHeads,
                headDimension: headDimension,
                feedForwardLength: try metadata.integer("\(arch).feed_forward_length"),
                trainedContextLength: try metadata.integer("\(arch).context_length"))
            ropeBase = try metadata.optionalFloat("\(arch).rope.freq_base") ?? 10_000
            ropeDimensions = try metadata.optionalInteger("\(arch).rope.dimension_count") ?? headDimension
            ropeLinearScale = 1
            if try metadata.optionalString("\(arch).rope.scaling.type") ?? "linear" == "linear",
               let factor = try metadata.optionalFloat("\(arch).rope.scaling.factor"), factor > 0 {
                ropeLinearScale = factor
            }
            rmsEpsilon = try metadata.float("\(arch).attention.layer_norm_rms_epsilon")
        } catch {
            throw .file(error)
        }
        try check(shape.embeddingLength > 0 && shape.embeddingLength <= 1 << 16, "\(arch).embedding_length", "must be 1…65536")
        try check(shape.headCount > 0 && shape.headCount <= 1024, "\(arch).attention.head_count", "must be 1…1024")
        try check(shape.layerCount > 0 && shape.layerCount <= 1024, "\(arch).block_count", "must be 1…1024")
        try check(shape.kvHeadCount > 0 && shape.headCount % shape.kvHeadCount == 0,
                  "\(arch).attention.head_count_kv", "must divide the head count \(shape.headCount)")
        try check(shape.headDimension > 0 && shape.headDimension % 2 == 0, "\(arch).attention.key_length", "must be even")
        try check(ropeDimensions > 0 && ropeDimensions <= shape.headDimension && ropeDimensions % 2 == 0,
                  "\(arch).rope.dimension_count", "must be even and at most the head dimension")
        try check(shape.vocabularySize > 0 && shape.vocabularySize <= 1 << 22, "tokenizer.ggml.tokens", "the vocabulary size is unknown or absurd")
        try check(shape.feedForwardLength > 0 && shape.feedForwardLength <= 1 << 18, "\(arch).feed_forward_length", "must be 1…262144")
        try check(shape.trainedContextLength > 0, "\(arch).context_length", "must be positive")
    }

    private func check(_ condition: Bool, _ key: String, _ reason: String) throws(ModelError) {
        if !condition { throw .invalidHyperparameter(key, reason) }
    }
}
