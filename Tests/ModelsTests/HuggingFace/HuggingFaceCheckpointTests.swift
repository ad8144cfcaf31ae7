// Pins down how a Hugging Face directory becomes GGUF names, dimensions and keys: Qwen3.5's
// layout per ../shared/specs/qwen35.md §4 and §10, the converter's value changes, and a
// named, one-line error for every way a directory can be unusable.
import Foundation
import GGUF
import Models
import Testing

@Suite struct HuggingFaceCheckpointTests {
    /// A directory removed when the value goes away.
    final class Directory {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-hf-\(UUID())").path

        init(config: String?, files: [String: SafetensorsImage] = [:], text: [String: String] = [:]) throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: path + "/config.json")) }
            for (name, image) in files { try image.write(to: path + "/" + name) }
            for (name, contents) in text { try Data(contents.utf8).write(to: URL(fileURLWithPath: path + "/" + name)) }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static let llamaConfig = """
    {"model_type": "llama", "vocab_size": 8, "hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 1,
     "num_attention_heads": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-6, "max_position_embeddings": 32,
     "tie_word_embeddings": true}
    """

    static func weights(_ extra: [String: [Int]] = [:]) -> SafetensorsImage {
        var image = SafetensorsImage()
        image.add("model.embed_tokens.weight", [8, 4], floats: (0..<32).map(Float.init))
        image.add("model.norm.weight", [4], floats: [1, 2, 3, 4])
        for (name, shape) in extra.sorted(by: { $0.key < $1.key }) {
            image.add(name, shape, floats: [Float](repeating: 0.5, count: shape.reduce(1, *)))
        }
        return image
    }

    func open(_ directory: Directory) throws(ModelError) -> HuggingFaceCheckpoint {
        try HuggingFaceCheckpoint(directory: directory.path)
    }

    // MARK: Mapping

    @Test func presentsGGUFNamesDimensionsAndKeys() throws {
        let directory = try Directory(config: Self.llamaConfig, files: ["model.safetensors": Self.weights()])
        let checkpoint = try open(directory)
        #expect(checkpoint.layout == .huggingFace && checkpoint.modelType == "llama")
        #expect(checkpoint.tensorNames == ["token_embd.weight", "output_norm.weight"])
        let embed = try #require(checkpoint.weight(named: "token_embd.weight"))
        #expect(embed.dimensions == [4, 8] && embed.type == .f32)
        #expect(Array(embed.bytes.bindMemory(to: Float.self)) == (0..<32).map(Float.init))
        let m = checkpoint.metadata
        #expect(try m.string("general.architecture") == "llama")
        #expect(try m.integer("llama.block_count") == 1 && m.integer("llama.vocab_size") == 8)
        #expect(try m.integer("llama.attention.head_count") == 2 && m.integer("llama.attention.head_count_kv") == 1)
        #expect(try m.integer("llama.rope.dimension_count") == 2 && m.float("llama.rope.freq_base") == 10_000)
        #expect(try m.float("llama.attention.layer_norm_rms_epsilon") == 1e-6)
        #expect(checkpoint.weight(named: "output.weight") == nil, "tied: the output is the embedding")
    }

    @Test func multimodalPrefixesAreStrippedAndOddVectorsAligned() throws {
        var image = SafetensorsImage()
        image.add("model.language_model.embed_tokens.weight", [8, 4], floats: (0..<32).map(Float.init))
        // Two bytes that put every later tensor off 4-byte alignment (skipped, but still in the file).
        image.entries.append(.init(name: "model.layers.0.self_attn.rotary_emb.inv_freq", dtype: "F16", shape: [1], data: [0, 0x3C]))
        image.add("model.language_model.norm.weight", [4], floats: [1, 2, 3, 4])
        image.add("lm_head.weight", [8, 4], floats: [Float](repeating: 2, count: 32))
        image.add("model.visual.blocks.0.attn.qkv.weight", [2, 2], floats: [0, 0, 0, 0])
        let untied = Self.llamaConfig.replacingOccurrences(of: "\"tie_word_embeddings\": true", with: "\"tie_word_embeddings\": false")
        let directory = try Directory(config: untied, files: ["model.safetensors": image])
        let checkpoint = try open(directory)
        #expect(checkpoint.tensorNames == ["token_embd.weight", "output.weight", "output_norm.weight"])
        let norm = try #require(checkpoint.weight(named: "output_norm.weight"))
        #expect(Int(bitPattern: norm.bytes.baseAddress) % 4 == 0, "an F32 vector off alignment is copied")
        #expect(Array(norm.bytes.bindMemory(to: Float.self)) == [1, 2, 3, 4])
        #expect(checkpoint.weight(named: "output.weight")?.dimensions == [4, 8])
    }

    @Test func gemma3NormsBecomeOnePlusW() throws {
        let model = try TransformersFixtures.model("gemma3-text")
        let checkpoint = try HuggingFaceCheckpoint(directory: model.directory)
        let raw = try SafetensorsFile(contentsOf: model.directory + "/model.safetensors")
        for (hf, gguf) in [("model.norm.weight", "output_norm.weight"),
                           ("model.layers.3.input_layernorm.weight", "blk.3.attn_norm.weight"),
                           ("model.layers.3.post_attention_layernorm.weight", "blk.3.post_attention_norm.weight"),
                           ("model.layers.3.pre_feedforward_layernorm.weight", "blk.3.ffn_norm.weight"),
                           ("model.layers.3.post_feedforward_layernorm.weight", "blk.3.post_ffw_norm.weight"),
                           ("model.layers.3.self_attn.q_norm.weight", "blk.3.attn_q_norm.weight"),
                           ("model.layers.3.self_attn.k_norm.weight", "blk.3.attn_k_norm.weight")] {
            let w = Array(raw.bytes(of: try #require(raw.tensor(named: hf))).bindMemory(to: Float.self))
            let presented = Array(try #require(checkpoint.weight(named: gguf)).bytes.bindMemory(to: Float.self))
            #expect(presented == w.map { 1 + $0 }, "\(gguf)")
        }
        #expect(try checkpoint.metadata.float("gemma3.rope.freq_base_swa") == 10_000)
        #expect(try checkpoint.metadata.float("gemma3.rope.freq_base") == 1_000_000)
        #expect(try checkpoint.metadata.integer("gemma3.attention.sliding_window") == 4)
        #expect(try checkpoint.metadata.float("gemma3.final_logit_softcapping") == 10)
        #expect(try checkpoint.metadata.string("gemma3.rope.scaling.type") == "linear")
        #expect(try checkpoint.metadata.float("gemma3.rope.scaling.factor") == 8)
    }

    /// A transformers-saved `Qwen3_5ForCausalLM` (Hk = 2, Hv = 4, layers linear/full/linear/full).
    @Test func qwen35LoadsWithTheSpecsNamesDimensionsAndKeys() throws {
        let model = try TransformersFixtures.model("qwen3_5")
        let checkpoint = try HuggingFaceCheckpoint(directory: model.directory)
        let m = checkpoint.metadata
        #expect(try m.string("general.architecture") == "qwen35")
        let integers: [String: Int] = [
            "block_count": 4, "context_length": 32768, "embedding_length": 64, "feed_forward_length": 96, "vocab_size": 128,
            "attention.head_count": 4, "attention.head_count_kv": 2, "attention.key_length": 32, "attention.value_length": 32,
            "rope.dimension_count": 8, "ssm.conv_kernel": 4, "ssm.state_size": 16, "ssm.group_count": 2,
            "ssm.time_step_rank": 4, "ssm.inner_size": 64, "full_attention_interval": 2,
        ]
        for (key, value) in integers { #expect(try m.integer("qwen35." + key) == value, "\(key)") }
        #expect(try m.float("qwen35.rope.freq_base") == 10_000 && m.float("qwen35.attention.layer_norm_rms_epsilon") == 1e-6)
        #expect(try m.integers("qwen35.rope.dimension_sections") == [11, 11, 10, 0])
        #expect(m["qwen35.attention.recurrent_layers"] == .array(.bools([true, false, true, false])))

        let dimensions: [String: [Int]] = [
            "token_embd.weight": [64, 128], "output.weight": [64, 128], "output_norm.weight": [64],
            "blk.0.attn_norm.weight": [64], "blk.0.post_attention_norm.weight": [64],
            "blk.0.attn_qkv.weight": [64, 128], "blk.0.attn_gate.weight": [64, 64], "blk.0.ssm_beta.weight": [64, 4],
            "blk.0.ssm_alpha.weight": [64, 4], "blk.0.ssm_conv1d.weight": [4, 128], "blk.0.ssm_dt.bias": [4],
            "blk.0.ssm_a": [4], "blk.0.ssm_norm.weight": [16], "blk.0.ssm_out.weight": [64, 64],
            "blk.0.ffn_gate.weight": [64, 96], "blk.0.ffn_up.weight": [64, 96], "blk.0.ffn_down.weight": [96, 64],
            "blk.1.attn_q.weight": [64, 256], "blk.1.attn_k.weight": [64, 64], "blk.1.attn_v.weight": [64, 64],
            "blk.1.attn_output.weight": [128, 64], "blk.1.attn_q_norm.weight": [32], "blk.1.attn_k_norm.weight": [32],
        ]
        for (name, dims) in dimensions { #expect(checkpoint.weight(named: name)?.dimensions == dims, "\(name)") }
        #expect(checkpoint.tensorNames.count == 3 + 2 * 14 + 2 * 11)
        #expect(checkpoint.tensorNames.first == "token_embd.weight" && checkpoint.tensorNames.last == "output_norm.weight")

        // Values: 1 + w on the RMSNorm1p weights, the gated norm as stored, ssm_a = −exp(A_log).
        let raw = try SafetensorsFile(contentsOf: model.directory + "/model.safetensors")
        func stored(_ name: String) throws -> [Float] {
            Array(raw.bytes(of: try #require(raw.tensor(named: name))).bindMemory(to: Float.self))
        }
        func presented(_ name: String) throws -> [Float] {
            Array(try #require(checkpoint.weight(named: name)).bytes.bindMemory(to: Float.self))
        }
        #expect(try presented("blk.0.attn_norm.weight") == stored("model.layers.0.input_layernorm.weight").map { 1 + $0 })
        #expect(try presented("blk.1.attn_q_norm.weight") == stored("model.layers.1.self_attn.q_norm.weight").map { 1 + $0 })
        #expect(try presented("output_norm.weight") == stored("model.norm.weight").map { 1 + $0 })
        #expect(try presented("blk.0.ssm_norm.weight") == stored("model.layers.0.linear_attn.norm.weight"))
        #expect(try presented("blk.2.ssm_a") == stored("model.layers.2.linear_attn.A_log").map { -expf($0) })
        #expect(try presented("blk.2.ssm_dt.bias") == stored("model.layers.2.linear_attn.dt_bias"))
        // Value heads stay grouped by key head: the matrix is the stored bytes, in place.
        #expect(try presented("blk.0.attn_qkv.weight") == stored("model.layers.0.linear_attn.in_proj_qkv.weight"))
    }

    // MARK: Errors

    @Test func unknownModelTypeIsNamed() throws {
        let directory = try Directory(config: #"{"model_type": "mamba2"}"#)
        #expect(throws: ModelError.unsupportedArchitecture("mamba2", supported: HuggingFaceCheckpoint.supportedModelTypes)) {
            try open(directory)
        }
        #expect(HuggingFaceCheckpoint.supportedModelTypes.contains("qwen3_5_text"))
    }

    @Test(arguments: [
        ("hidden_size", nil, ModelError.invalidHyperparameter("hidden_size", "config.json has no 'hidden_size'")),
        ("num_hidden_layers", "\"two\"", .invalidHyperparameter("num_hidden_layers", "config.json has a string there, not a count")),
        ("rms_norm_eps", "[1]", .invalidHyperparameter("rms_norm_eps", "config.json has an array there, not a number")),
        ("vocab_size", "-8", .invalidHyperparameter("vocab_size", "config.json has a number there, not a count")),
        ("rope_scaling", #"{"rope_type": "yarn", "factor": 4}"#,
         .invalidHyperparameter("rope_scaling.rope_type", "RoPE scaling 'yarn' is not supported for this architecture (supported: default, linear, llama3)")),
    ] as [(String, String?, ModelError)])
    func badConfigKeysAreNamed(key: String, value: String?, error: ModelError) throws {
        var config = try JSONSerialization.jsonObject(with: Data(Self.llamaConfig.utf8)) as! [String: Any]
        config[key] = value.map { try! JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let directory = try Directory(config: text, files: ["model.safetensors": Self.weights()])
        #expect(throws: error) { try open(directory) }
    }

    @Test func longRoPEIsRefused() throws {
        let config = #"{"model_type": "phi3", "rope_scaling": {"type": "longrope", "long_factor": [1], "short_factor": [1]}}"#
        let directory = try Directory(config: config)
        #expect(throws: ModelError.invalidHyperparameter(
            "rope_scaling.rope_type", "RoPE scaling 'longrope' is not supported for this architecture (supported: default)")) {
            try open(directory)
        }
    }

    @Test func missingFilesAreReported() throws {
        let noConfig = try Directory(config: nil)
        #expect(throws: ModelError.invalidCheckpoint(noConfig.path, reason: "cannot read config.json: No such file or directory")) {
            try open(noConfig)
        }
        let badJSON = try Directory(config: "{\"model_type\": ")
        #expect(throws: ModelError.invalidCheckpoint(badJSON.path, reason: "config.json is not valid JSON")) { try open(badJSON) }
        let noWeights = try Directory(config: Self.llamaConfig)
        #expect(throws: ModelError.invalidCheckpoint(
            noWeights.path, reason: "no model.safetensors or model.safetensors.index.json (only safetensors checkpoints load)")) {
            try open(noWeights)
        }
    }

    @Test func tensorsKingletCannotUseAreNamed() throws {
        var wide = Self.weights()
        wide.entries[1] = .init(name: "model.norm.weight", dtype: "F64", shape: [4], data: [UInt8](repeating: 0, count: 32))
        let f64 = try Directory(config: Self.llamaConfig, files: ["model.safetensors": wide])
        #expect(throws: ModelError.unsupportedTensorType("model.norm.weight", type: "F64")) { try open(f64) }

        let extra = try Directory(config: Self.llamaConfig,
                                  files: ["model.safetensors": Self.weights(["model.layers.0.self_attn.o_proj.bias": [4]])])
        #expect(throws: ModelError.invalidCheckpoint(extra.path, reason: "tensor 'model.layers.0.self_attn.o_proj.bias' is not part "
                                                     + "of a llama text model as Kinglet reads it; this checkpoint has a variant Kinglet does not run")) {
            try open(extra)
        }
        let beyond = try Directory(config: Self.llamaConfig,
                                   files: ["model.safetensors": Self.weights(["model.layers.1.input_layernorm.weight": [4]])])
        #expect(throws: ModelError.self) { try open(beyond) }

        // Skipped, not rejected: vision towers, MTP heads, cached RoPE tables.
        let skipped = try Directory(config: Self.llamaConfig, files: ["model.safetensors": Self.weights([
            "model.visual.patch_embed.weight": [2, 2], "mtp.fc.weight": [2, 2],
            "model.layers.0.self_attn.rotary_emb.inv_freq": [1],
        ])])
        #expect(try open(skipped).tensorNames == ["token_embd.weight", "output_norm.weight"])
    }

    @Test func shardIndexMustAgreeWithTheShards() throws {
        var first = SafetensorsImage(), second = SafetensorsImage()
        first.add("model.embed_tokens.weight", [8, 4], floats: [Float](repeating: 1, count: 32))
        second.add("model.norm.weight", [4], floats: [1, 1, 1, 1])
        func index(_ map: [String: String]) -> String {
            let pairs = map.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }
            return "{\"metadata\": {}, \"weight_map\": {\(pairs.joined(separator: ", "))}}"
        }
        let shards = ["model-00001-of-00002.safetensors": first, "model-00002-of-00002.safetensors": second]
        let good = [
            "model.embed_tokens.weight": "model-00001-of-00002.safetensors", "model.norm.weight": "model-00002-of-00002.safetensors",
        ]
        let sharded = try Directory(config: Self.llamaConfig, files: shards, text: ["model.safetensors.index.json": index(good)])
        #expect(try open(sharded).tensorNames == ["token_embd.weight", "output_norm.weight"])

        let lying = [
            "model.embed_tokens.weight": "model-00002-of-00002.safetensors", "model.norm.weight": "model-00001-of-00002.safetensors",
        ]
        let misplaced = try Directory(config: Self.llamaConfig, files: shards, text: ["model.safetensors.index.json": index(lying)])
        #expect(throws: ModelError.invalidCheckpoint(misplaced.path, reason: "model-00001-of-00002.safetensors holds "
                                                     + "'model.embed_tokens.weight', which model.safetensors.index.json places elsewhere")) {
            try open(misplaced)
        }

        var missing = good
        missing["lm_head.weight"] = "model-00002-of-00002.safetensors"
        let incomplete = try Directory(config: Self.llamaConfig, files: shards, text: ["model.safetensors.index.json": index(missing)])
        #expect(throws: ModelError.invalidCheckpoint(incomplete.path, reason: "model.safetensors.index.json lists 'lm_head.weight', "
                                                     + "which its shard model-00002-of-00002.safetensors lacks")) {
            try open(incomplete)
        }

        let escaping = try Directory(config: Self.llamaConfig, files: shards,
                                     text: ["model.safetensors.index.json": index(["model.norm.weight": "../model.safetensors"])])
        #expect(throws: ModelError.invalidCheckpoint(escaping.path, reason: "model.safetensors.index.json names a string for "
                                                     + "'model.norm.weight', not a file in the directory")) {
            try open(escaping)
        }

        let gone = try Directory(config: Self.llamaConfig, files: [:],
                                 text: ["model.safetensors.index.json": index(good)])
        #expect(throws: ModelError.self) { try open(gone) }
        do { _ = try open(gone) } catch {
            guard case .safetensors(.cannotOpen(_, let reason), let file) = error else { throw error }
            #expect(file == gone.path + "/model-00001-of-00002.safetensors" && reason == "No such file or directory")
        }
    }
}
