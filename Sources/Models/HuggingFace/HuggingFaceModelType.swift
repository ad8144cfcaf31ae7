#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GGUF

/// How one Hugging Face `model_type` is presented under GGUF names and keys, as llama.cpp's
/// converter writes them (`convert_hf_to_gguf.py`; `conversion/llama.py`, `qwen.py`,
/// `gemma.py`, `phi.py`). `all` is the one list of the model types Kinglet loads.
struct HuggingFaceModelType: Sendable {
    /// GGUF `general.architecture`.
    let architecture: String
    /// Layer tensors: HF name after `layers.N.` → GGUF name after `blk.N.`.
    let layerTensors: [String: String]
    /// The config class's `tie_word_embeddings` default (transformers), for configs without the key.
    let tiedByDefault: Bool
    /// Norm weights are zero-centred (`x/rms · (1 + w)`, Gemma 3 and Qwen3.5): every
    /// `…norm.weight` but the gated DeltaNet norm gets the converter's `1 +`.
    let zeroCenteredNorms: Bool
    /// Writes `general.architecture` and the `<arch>.*` keys: `setCommon`'s plus the model type's own.
    let metadata: @Sendable (HuggingFaceConfig, inout GGUFMetadata) throws(ModelError) -> Void
    /// Tensors the converter generates (Llama 3's `rope_freqs.weight`), as F32 vectors.
    var generatedTensors: @Sendable (HuggingFaceConfig) throws(ModelError) -> [String: [Float]] = { _ throws(ModelError) in [:] }

    /// Every supported `model_type`; a multimodal type (`gemma3`, `qwen3_5`) loads its text model.
    static let all: [String: HuggingFaceModelType] = [
        "llama": .llama, "mistral": .mistral, "qwen2": .qwen2, "qwen3": .qwen3,
        "gemma3": .gemma3, "gemma3_text": .gemma3, "phi3": .phi3, "smollm3": .smollm3, "qwen3_5": .qwen35, "qwen3_5_text": .qwen35,
    ]

    // MARK: Tensor names

    private static let attention = [
        "input_layernorm.weight": "attn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight",
        "self_attn.k_proj.weight": "attn_k.weight",
        "self_attn.v_proj.weight": "attn_v.weight",
        "self_attn.o_proj.weight": "attn_output.weight",
    ]
    private static let qkvBiases = [
        "self_attn.q_proj.bias": "attn_q.bias", "self_attn.k_proj.bias": "attn_k.bias", "self_attn.v_proj.bias": "attn_v.bias",
    ]
    private static let qkNorms = ["self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight"]
    private static let mlp = [
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
    ]
    /// In Llama-style models `post_attention_layernorm` is the norm before the MLP.
    private static let preMLPNorm = ["post_attention_layernorm.weight": "ffn_norm.weight"]
    /// Qwen3.5's Gated DeltaNet layers (`../shared/specs/qwen35.md` §4).
    private static let deltaNet = [
        "linear_attn.in_proj_qkv.weight": "attn_qkv.weight",
        "linear_attn.in_proj_z.weight": "attn_gate.weight",
        "linear_attn.in_proj_b.weight": "ssm_beta.weight",
        "linear_attn.in_proj_a.weight": "ssm_alpha.weight",
        "linear_attn.conv1d.weight": "ssm_conv1d.weight",
        "linear_attn.dt_bias": "ssm_dt.bias",
        "linear_attn.A_log": "ssm_a",
        "linear_attn.norm.weight": "ssm_norm.weight",
        "linear_attn.out_proj.weight": "ssm_out.weight",
    ]

    private static func merged(_ tables: [String: String]...) -> [String: String] {
        tables.reduce(into: [:]) { $0.merge($1) { first, _ in first } }
    }

    // MARK: Model types

    static let llama = HuggingFaceModelType(
        architecture: "llama", layerTensors: merged(attention, mlp, preMLPNorm), tiedByDefault: false,
        zeroCenteredNorms: false,
        metadata: { config, m throws(ModelError) in
            let rope = try config.rope()
            try rope.require(["default", "linear", "llama3"])
            try setCommon(config, &m, arch: "llama", ropeTheta: rope.theta(default: 10_000))
            try setLinearScaling(rope, &m, arch: "llama")
            m.set("llama.rope.dimension_count", .uint32(UInt32(try headDimension(config))))
        },
        generatedTensors: { config throws(ModelError) in
            let rope = try config.rope()
            guard rope.type == "llama3" else { return [:] }
            return ["rope_freqs.weight": try llama3FrequencyFactors(config, rope)]
        })

    /// Mistral converts as Llama; its `sliding_window` applies to every layer (transformers'
    /// `MistralModel` masks with it whenever it is not null).
    static let mistral = HuggingFaceModelType(
        architecture: "llama", layerTensors: llama.layerTensors, tiedByDefault: false, zeroCenteredNorms: false,
        metadata: { config, m throws(ModelError) in
            try llama.metadata(config, &m)
            if let window = try config.optionalCount("sliding_window") {
                m.set("llama.attention.sliding_window", .uint32(UInt32(window)))
            }
        })

    /// SmolLM3 converts as Llama plus the period of its NoPE layers (`no_rope_layers`: 1 where a
    /// layer uses RoPE), which must be every n-th layer, as llama.cpp's `no_rope_layer_step` says.
    static let smollm3 = HuggingFaceModelType(
        architecture: "smollm3", layerTensors: llama.layerTensors, tiedByDefault: true, zeroCenteredNorms: false,
        metadata: { config, m throws(ModelError) in
            let rope = try config.rope()
            try rope.require(["default"])
            try setCommon(config, &m, arch: "smollm3", ropeTheta: rope.theta(default: 10_000))
            let layers = try config.count("num_hidden_layers")
            let interval = try config.optionalCount("no_rope_layer_interval") ?? 4
            let uses = try config.optionalCounts("no_rope_layers") ?? (0..<layers).map { ($0 + 1) % interval != 0 ? 1 : 0 }
            guard interval > 0, uses == (0..<layers).map({ ($0 + 1) % interval != 0 ? 1 : 0 }) else {
                throw .invalidHyperparameter("no_rope_layers", "must leave out RoPE on every n-th layer exactly (llama.cpp's no_rope_layer_step)")
            }
            m.set("smollm3.no_rope_layer_step", .uint32(UInt32(interval)))
        })

    static let qwen2 = HuggingFaceModelType(
        architecture: "qwen2", layerTensors: merged(attention, qkvBiases, mlp, preMLPNorm), tiedByDefault: false,
        zeroCenteredNorms: false, metadata: { config, m throws(ModelError) in try setQwen(config, &m, arch: "qwen2") })

    static let qwen3 = HuggingFaceModelType(
        architecture: "qwen3", layerTensors: merged(attention, qkNorms, mlp, preMLPNorm), tiedByDefault: false,
        zeroCenteredNorms: false, metadata: { config, m throws(ModelError) in try setQwen(config, &m, arch: "qwen3") })

    static let gemma3 = HuggingFaceModelType(
        architecture: "gemma3",
        layerTensors: merged(attention, qkNorms, mlp, [
            "post_attention_layernorm.weight": "post_attention_norm.weight",
            "pre_feedforward_layernorm.weight": "ffn_norm.weight",
            "post_feedforward_layernorm.weight": "post_ffw_norm.weight",
        ]),
        tiedByDefault: true, zeroCenteredNorms: true, metadata: setGemma3)

    static let phi3 = HuggingFaceModelType(
        architecture: "phi3",
        layerTensors: merged(preMLPNorm, [
            "input_layernorm.weight": "attn_norm.weight",
            "self_attn.qkv_proj.weight": "attn_qkv.weight",
            "self_attn.o_proj.weight": "attn_output.weight",
            "mlp.gate_up_proj.weight": "ffn_up.weight",
            "mlp.down_proj.weight": "ffn_down.weight",
        ]),
        tiedByDefault: false, zeroCenteredNorms: false, metadata: setPhi3)

    static let qwen35 = HuggingFaceModelType(
        architecture: "qwen35",
        layerTensors: merged(attention, qkNorms, mlp, deltaNet, ["post_attention_layernorm.weight": "post_attention_norm.weight"]),
        tiedByDefault: false, zeroCenteredNorms: true, metadata: setQwen35)

    // MARK: Metadata

    /// The keys every decoder has (`TextModel.set_gguf_parameters` in `conversion/base.py`),
    /// plus `<arch>.vocab_size`, which lets a GGUF without a tokenizer size its output.
    static func setCommon(_ config: HuggingFaceConfig, _ m: inout GGUFMetadata, arch: String,
                          ropeTheta: Double) throws(ModelError) {
        let heads = try config.count("num_attention_heads")
        m.set("general.architecture", .string(arch))
        m.set("\(arch).vocab_size", .uint32(UInt32(try config.count("vocab_size"))))
        m.set("\(arch).context_length", .uint32(UInt32(try config.count("max_position_embeddings"))))
        m.set("\(arch).embedding_length", .uint32(UInt32(try config.count("hidden_size"))))
        m.set("\(arch).block_count", .uint32(UInt32(try config.count("num_hidden_layers"))))
        m.set("\(arch).feed_forward_length", .uint32(UInt32(try config.count("intermediate_size"))))
        m.set("\(arch).attention.head_count", .uint32(UInt32(heads)))
        // transformers: a missing num_key_value_heads means multi-head attention.
        m.set("\(arch).attention.head_count_kv", .uint32(UInt32(try config.optionalCount("num_key_value_heads") ?? heads)))
        m.set("\(arch).rope.freq_base", .float32(Float(ropeTheta)))
        m.set("\(arch).attention.layer_norm_rms_epsilon", .float32(Float(try config.number("rms_norm_eps"))))
        if let headDimension = try config.optionalCount("head_dim") {
            m.set("\(arch).attention.key_length", .uint32(UInt32(headDimension)))
            m.set("\(arch).attention.value_length", .uint32(UInt32(headDimension)))
        }
    }

    /// Linear RoPE scaling as `rope.scaling.type`/`.factor` (`conversion/base.py`); nothing for other types.
    static func setLinearScaling(_ rope: RopeParameters, _ m: inout GGUFMetadata, arch: String) throws(ModelError) {
        guard rope.type == "linear" else { return }
        guard let factor = try rope.number("factor"), factor > 0 else {
            throw .invalidHyperparameter("\(rope.key).factor", "linear RoPE scaling needs a positive factor")
        }
        m.set("\(arch).rope.scaling.type", .string("linear"))
        m.set("\(arch).rope.scaling.factor", .float32(Float(factor)))
    }

    /// `head_dim`, or `hidden_size / num_attention_heads` as transformers derives it.
    static func headDimension(_ config: HuggingFaceConfig) throws(ModelError) -> Int {
        if let headDimension = try config.optionalCount("head_dim") { return headDimension }
        let heads = try config.count("num_attention_heads")
        guard heads > 0 else { throw .invalidHyperparameter("num_attention_heads", "must be positive") }
        return try config.count("hidden_size") / heads
    }

    /// Qwen2 and Qwen3: the common keys. Their optional sliding-window layers (above
    /// `max_window_layers`) are refused: llama.cpp does not run them either.
    private static func setQwen(_ config: HuggingFaceConfig, _ m: inout GGUFMetadata, arch: String) throws(ModelError) {
        if try config.optionalBool("use_sliding_window") == true {
            throw .invalidHyperparameter("use_sliding_window", "Qwen sliding-window layers are not supported")
        }
        let rope = try config.rope()
        try rope.require(["default"])
        try setCommon(config, &m, arch: arch, ropeTheta: rope.theta(default: 10_000))
    }

    /// Gemma 3: global layers rotate with the `full_attention` RoPE, local ones with the
    /// `sliding_attention` one (older configs: `rope_theta` and `rope_local_base_freq`), five
    /// local layers for each global one (llama.cpp's `set_swa_pattern(6)`, which Kinglet
    /// shares), and queries scaled by 1/√head_dim (or 1/√(hidden/heads) for 62 layers).
    private static func setGemma3(_ config: HuggingFaceConfig, _ m: inout GGUFMetadata) throws(ModelError) {
        let global = try config.rope("full_attention")
        try global.require(["default", "linear"])
        try setCommon(config, &m, arch: "gemma3", ropeTheta: global.theta(default: 1_000_000))
        try setLinearScaling(global, &m, arch: "gemma3")   // Gemma 3 4B and up: factor 8 on global layers
        let local = try config.rope("sliding_attention")
        let localTheta: Double
        if local.key.hasSuffix("sliding_attention") {
            try local.require(["default"])
            localTheta = try local.theta(default: 10_000)
        } else {
            localTheta = try config.optionalNumber("rope_local_base_freq") ?? 10_000
        }
        m.set("gemma3.rope.freq_base_swa", .float32(Float(localTheta)))
        m.set("gemma3.attention.sliding_window", .uint32(UInt32(try config.count("sliding_window"))))
        if let cap = try config.optionalNumber("final_logit_softcapping") {
            m.set("gemma3.final_logit_softcapping", .float32(Float(cap)))
        }
        if config["attn_logit_softcapping"] != nil {
            throw .invalidHyperparameter("attn_logit_softcapping", "Gemma 3 has no attention softcapping; this config is not Gemma 3's")
        }
        let layers = try config.count("num_hidden_layers")
        let pattern = (0..<layers).map { $0 % Gemma3.globalLayerPeriod == Gemma3.globalLayerPeriod - 1 ? "full_attention" : "sliding_attention" }
        if let types = try config.optionalStrings("layer_types"), types != pattern {
            throw .invalidHyperparameter("layer_types", "Kinglet runs Gemma 3 with one global layer after every five local ones")
        }
        let headDimension = try headDimension(config)
        let expected = layers == 62 ? try config.count("hidden_size") / max(try config.count("num_attention_heads"), 1) : headDimension
        if let scalar = try config.optionalNumber("query_pre_attn_scalar"), scalar != Double(expected) {
            throw .invalidHyperparameter("query_pre_attn_scalar", "must be \(expected), the scale llama.cpp and Kinglet use")
        }
    }

    /// Phi-3: partial rotary dims, the original context length, and its sliding window
    /// (0 for none, as the converter writes it). LongRoPE is refused (`Phi3` explains why).
    private static func setPhi3(_ config: HuggingFaceConfig, _ m: inout GGUFMetadata) throws(ModelError) {
        let rope = try config.rope()
        try rope.require(["default"])
        try setCommon(config, &m, arch: "phi3", ropeTheta: rope.theta(default: 10_000))
        let partial = try rope.inheritedNumber("partial_rotary_factor") ?? 1
        m.set("phi3.rope.dimension_count", .uint32(UInt32(Double(try headDimension(config)) * partial)))
        if let original = try rope.inheritedNumber("original_max_position_embeddings") {
            m.set("phi3.rope.scaling.original_context_length", .uint32(UInt32(original)))
        }
        m.set("phi3.attention.sliding_window", .uint32(UInt32(try config.optionalCount("sliding_window") ?? 0)))
    }

    /// Qwen3.5 (`../shared/specs/qwen35.md` §10.1): the DeltaNet sizes under `qwen35.ssm.*`, which
    /// layers are recurrent, and partial multimodal RoPE. The MTP block is not loaded, so
    /// `block_count` is the decoder's layers only.
    private static func setQwen35(_ config: HuggingFaceConfig, _ m: inout GGUFMetadata) throws(ModelError) {
        let rope = try config.rope()
        try rope.require(["default"])
        try setCommon(config, &m, arch: "qwen35", ropeTheta: rope.theta(default: 10_000))
        let layers = try config.count("num_hidden_layers")
        // Qwen3_5TextConfig: partial_rotary_factor defaults to 0.25, full_attention_interval to 4.
        let partial = try rope.inheritedNumber("partial_rotary_factor") ?? 0.25
        m.set("qwen35.rope.dimension_count", .uint32(UInt32(Double(try headDimension(config)) * partial)))
        var sections = [Int32(11), 11, 10, 0]   // conversion/qwen.py's default when the config has none
        if let value = rope.values["mrope_section"] {
            let numbers = value.array?.compactMap { $0.integer.flatMap(Int32.init(exactly:)) } ?? []
            guard numbers.count == value.array?.count, numbers.count <= 4 else {
                throw .invalidHyperparameter("\(rope.key).mrope_section", "must be up to four integers")
            }
            sections = numbers + [Int32](repeating: 0, count: 4 - numbers.count)
        }
        m.set("qwen35.rope.dimension_sections", .array(.int32s(sections)))
        m.set("qwen35.ssm.conv_kernel", .uint32(UInt32(try config.count("linear_conv_kernel_dim"))))
        m.set("qwen35.ssm.state_size", .uint32(UInt32(try config.count("linear_key_head_dim"))))
        m.set("qwen35.ssm.group_count", .uint32(UInt32(try config.count("linear_num_key_heads"))))
        m.set("qwen35.ssm.time_step_rank", .uint32(UInt32(try config.count("linear_num_value_heads"))))
        let inner = try config.count("linear_value_head_dim") * config.count("linear_num_value_heads")
        guard inner <= Int(UInt32.max) else { throw .invalidHyperparameter("linear_value_head_dim", "value heads are too large") }
        m.set("qwen35.ssm.inner_size", .uint32(UInt32(inner)))
        var types = try config.optionalStrings("layer_types") ?? []
        if config["layer_types"] == nil {
            let interval = max(try config.optionalCount("full_attention_interval") ?? 4, 1)
            types = (0..<layers).map { ($0 + 1) % interval == 0 ? "full_attention" : "linear_attention" }
        }
        guard types.count == layers, types.allSatisfy({ $0 == "full_attention" || $0 == "linear_attention" }) else {
            throw .invalidHyperparameter("layer_types", "must name full_attention or linear_attention for each of \(layers) layers")
        }
        m.set("qwen35.attention.recurrent_layers", .array(.bools(types.map { $0 == "linear_attention" })))
        // The interval too, when the layers follow one (llama.cpp prefers recurrent_layers).
        let isFull = types.map { $0 == "full_attention" }
        if let interval = (1...max(layers, 1)).first(where: { k in isFull.indices.allSatisfy { isFull[$0] == (($0 + 1) % k == 0) } }) {
            m.set("qwen35.full_attention_interval", .uint32(UInt32(interval)))
        }
    }

    // MARK: Generated tensors

    /// Llama 3's per-frequency RoPE divisors, computed in Float32 as `LlamaModel.generate_extra_tensors`
    /// does: 1 for short wavelengths, `factor` for long ones, a smooth blend between.
    static func llama3FrequencyFactors(_ config: HuggingFaceConfig, _ rope: RopeParameters) throws(ModelError) -> [Float] {
        let dimensions = try headDimension(config)
        let base = Float(try rope.theta(default: 10_000))
        let factor = Float(try rope.number("factor") ?? 8)
        let low = Float(try rope.number("low_freq_factor") ?? 1)
        let high = Float(try rope.number("high_freq_factor") ?? 4)
        // transformers reads the original context from rope_parameters (the converter's default is 8192).
        let original = Float(try rope.inheritedNumber("original_max_position_embeddings") ?? 8192)
        guard low < high, factor > 0 else {
            throw .invalidHyperparameter("\(rope.key).low_freq_factor", "must be below high_freq_factor, with a positive factor")
        }
        let lowWavelength = original / low, highWavelength = original / high
        return stride(from: 0, to: dimensions, by: 2).map { i in
            let frequency = 1 / powf(base, Float(i) / Float(dimensions))
            let wavelength = Float(2 * Double.pi) / frequency
            if wavelength < highWavelength { return 1 }
            if wavelength > lowWavelength { return factor }
            let smooth = (original / wavelength - low) / (high - low)
            return 1 / ((1 - smooth) / factor + smooth)
        }
    }
}
