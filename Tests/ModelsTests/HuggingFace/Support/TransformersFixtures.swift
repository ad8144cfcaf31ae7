// Tiny random models built, saved (safetensors) and run by transformers, once per test process:
// the independent reference every Hugging Face test compares Kinglet with.
import Foundation
import TestSupport

/// One tiny transformers model: its checkpoint directory, the token ids it was run on, and
/// transformers' logits at every position (float32, eager attention).
struct TransformersModel {
    let name: String
    let directory: String
    let ids: [Int]
    let logits: [[Float]]
}

enum TransformersFixtures {
    /// Token ids every model runs: 12 positions, longer than the sliding windows of 4.
    static let ids = [3, 17, 42, 5, 63, 1, 28, 9, 11, 50, 33, 20]

    /// What to build. `config` goes to `AutoConfig.for_model(model_type, **config)` (or
    /// `Gemma3Config(**config)` for the multimodal `gemma3`); `zero_centered` says the norm
    /// weights are stored as `w` of `1 + w`.
    static let specs = """
    [
      {"name": "llama", "model_type": "llama", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "rms_norm_eps": 1e-5, "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}}},
      {"name": "llama3-tied", "model_type": "llama", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4,
        "max_position_embeddings": 256, "tie_word_embeddings": true,
        "rope_parameters": {"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                            "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}},
      {"name": "llama-bf16", "model_type": "llama", "dtype": "bfloat16", "config": {"vocab_size": 128,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2}},
      {"name": "mistral", "model_type": "mistral", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "sliding_window": 4}},
      {"name": "qwen2", "model_type": "qwen2", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "tie_word_embeddings": true, "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}}},
      {"name": "qwen2-sharded", "model_type": "qwen2", "max_shard_size": "40KB", "config": {"vocab_size": 128,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 3, "num_attention_heads": 4,
        "num_key_value_heads": 1}},
      {"name": "qwen3", "model_type": "qwen3", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "head_dim": 24}},
      {"name": "gemma3-text", "model_type": "gemma3_text", "zero_centered": true, "config": {"vocab_size": 128,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 7, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16, "query_pre_attn_scalar": 16, "sliding_window": 4,
        "final_logit_softcapping": 10.0, "pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 1,
        "rope_parameters": {"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
                            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}}}},
      {"name": "gemma3-multimodal", "model_type": "gemma3", "zero_centered": true, "config": {
        "text_config": {"vocab_size": 128, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2,
          "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "query_pre_attn_scalar": 16,
          "sliding_window": 4, "pad_token_id": 0, "bos_token_id": 2, "eos_token_id": 1},
        "vision_config": {"hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 1,
          "num_attention_heads": 2, "image_size": 28, "patch_size": 14},
        "mm_tokens_per_image": 4, "image_token_index": 125, "boi_token_index": 126, "eoi_token_index": 127}},
      {"name": "phi3", "model_type": "phi3", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
        "pad_token_id": 0, "bos_token_id": 1, "eos_token_id": 2, "max_position_embeddings": 256,
        "original_max_position_embeddings": 256,
        "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.5}}},
      {"name": "smollm3", "model_type": "smollm3", "config": {"vocab_size": 128, "hidden_size": 64,
        "intermediate_size": 96, "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2,
        "no_rope_layer_interval": 2, "tie_word_embeddings": false, "pad_token_id": 0}},
      {"name": "qwen3_5", "model_type": "qwen3_5_text", "zero_centered": true, "run": false, "config": {
        "vocab_size": 128, "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 4,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "linear_num_key_heads": 2,
        "linear_num_value_heads": 4, "linear_key_head_dim": 16, "linear_value_head_dim": 16,
        "linear_conv_kernel_dim": 4, "layer_types": ["linear_attention", "full_attention",
        "linear_attention", "full_attention"]}}
    ]
    """

    /// Builds every model with random weights of useful size (the default 0.02 init gives
    /// near-zero logits and unit norms, which would hide a missing `1 + w`), saves it, and
    /// writes its logits as raw float32 to `logits.f32`.
    static let script = #"""
    import json, os, sys
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, Gemma3Config, Gemma3ForConditionalGeneration

    root = sys.argv[1]
    ids = json.loads(sys.argv[2])
    torch.set_grad_enabled(False)

    def randomize(model, zero_centered):
        g = torch.Generator().manual_seed(1234)
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if p.dim() == 1 and name.endswith("norm.weight") and "linear_attn" not in name:
                p.copy_(noise * 0.2 + (0.0 if zero_centered else 1.0))
            elif p.dim() == 1:
                p.copy_(noise * 0.2)
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(noise * 0.3)
            elif p.dim() == 2:
                p.copy_(noise / p.shape[1] ** 0.5)
            else:
                p.copy_(noise * 0.3)

    for spec in json.load(sys.stdin):
        torch.manual_seed(0)
        if spec["model_type"] == "gemma3":
            model = Gemma3ForConditionalGeneration(Gemma3Config(**spec["config"]))
        else:
            config = AutoConfig.for_model(spec["model_type"], **spec["config"])
            model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
        model = model.float().eval()
        randomize(model, spec.get("zero_centered", False))
        if spec.get("dtype") == "bfloat16":
            model = model.to(torch.bfloat16)
        out = os.path.join(root, spec["name"])
        model.save_pretrained(out, safe_serialization=True, max_shard_size=spec.get("max_shard_size", "5GB"))
        if spec.get("run", True):
            # BF16 weights are widened and run in float32: the reference for reading BF16, not for BF16 math.
            model = model.float()
            model.config._attn_implementation = "eager"
            logits = model(input_ids=torch.tensor([ids])).logits[0].float().contiguous().numpy()
            logits.astype("<f4").tofile(os.path.join(out, "logits.f32"))
    """#

    /// Where the models live; removed when the test process exits.
    static let root: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-hf-\(getpid())").path
        fixtureRootForCleanup = path
        atexit { if let root = fixtureRootForCleanup { try? FileManager.default.removeItem(atPath: root) } }
        return path
    }()

    /// Every model, built by one Python run the first time a test asks.
    static let models: Result<[String: TransformersModel], Error> = Result {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let idsJSON = "[" + ids.map(String.init).joined(separator: ",") + "]"
        _ = try ReferencePython.run(script, arguments: [root, idsJSON], input: Data(specs.utf8))
        let list = try JSONSerialization.jsonObject(with: Data(specs.utf8)) as? [[String: Any]] ?? []
        var models: [String: TransformersModel] = [:]
        for spec in list {
            let name = spec["name"] as! String
            let directory = root + "/" + name
            var logits: [[Float]] = []
            if let data = FileManager.default.contents(atPath: directory + "/logits.f32") {
                let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                let vocabulary = floats.count / ids.count
                logits = (0..<ids.count).map { Array(floats[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
            }
            models[name] = TransformersModel(name: name, directory: directory, ids: ids, logits: logits)
        }
        return models
    }

    static func model(_ name: String) throws -> TransformersModel {
        guard let model = try models.get()[name] else { throw MissingFixture(name: name) }
        return model
    }

    struct MissingFixture: Error { let name: String }
}

/// For the `atexit` handler, which cannot capture.
nonisolated(unsafe) private var fixtureRootForCleanup: String?
