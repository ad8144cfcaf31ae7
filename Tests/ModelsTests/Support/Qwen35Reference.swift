// Builds tiny random Qwen3.5 text models with transformers (the reference) and writes the same
// weights as GGUF files with the `gguf` package, following ../shared/specs/qwen35.md §10: an
// independent check of the GGUF conventions, not Kinglet's own writer.
import Foundation
import GGUF
import Models
import TestSupport
import Testing

/// One tiny model: transformers' logits for `Qwen35Reference.tokens` and the model as two GGUF files.
struct Qwen35Fixture: Sendable {
    var name: String
    var configuration: Qwen35Reference.Configuration
    /// Next-token logits after each of `Qwen35Reference.tokens`, from transformers (float32).
    var logits: [[Float]]
    /// The same with attention rounded where a Float16 KV cache rounds (keys, values, the query and
    /// the softmax weights, as ggml and Kinglet do); transformers computes everything else.
    var float16CacheLogits: [[Float]]
    /// Value heads in llama.cpp's tiled order (spec §10.3), as its converter writes them.
    var gguf: GGUFFile
    /// The same file with value heads in transformers' grouped order (what a Hugging Face source presents).
    var huggingFaceOrder: GGUFFile
    /// The model as transformers saves it (`save_pretrained`, safetensors), read by Kinglet's loader.
    var checkpoint: HuggingFaceCheckpoint
}

enum Qwen35Reference {
    /// What the Python side builds; keys as the script reads them.
    struct Configuration: Codable, Sendable {
        var name: String
        var seed: Int
        /// "lin" / "full" per layer (written as `recurrent_layers`), or nil for `interval`.
        var layers: [String]? = nil
        var interval: Int? = nil
        var layerCount: Int? = nil
        var hidden = 64, ffn = 96, heads = 4, kvHeads = 2, headDim = 32
        var rotary = 0.25
        var keyHeads = 2, valueHeads = 4, keyDim = 16, valueDim = 16, kernel = 4
        var tied = false
        /// MTP blocks appended after the decoder's (with tensors a decoder layer would reject).
        var nextn = 0

        enum CodingKeys: String, CodingKey {
            case name, seed, layers, interval, hidden, ffn, heads, rotary, kernel, tied, nextn
            case layerCount = "layer_count", kvHeads = "kv_heads", headDim = "head_dim", keyHeads = "key_heads"
            case valueHeads = "value_heads", keyDim = "key_dim", valueDim = "value_dim"
        }

        /// Whether each decoder layer is a DeltaNet.
        var recurrent: [Bool] {
            layers.map { $0.map { $0 == "lin" } } ?? (0..<(layerCount ?? 0)).map { ($0 + 1) % (interval ?? 4) != 0 }
        }
        /// Floats of recurrent state per DeltaNet layer and sequence: conv window and S.
        var stateFloats: Int {
            (kernel - 1) * (2 * keyHeads * keyDim + valueHeads * valueDim) + valueHeads * keyDim * valueDim
        }
    }

    static let vocabulary = 512

    /// 80 fixed token ids: more than one 64-token chunk of the delta rule.
    static let tokens: [Int] = {
        var random = SplitMix64(seed: 35)
        return (0..<80).map { _ in Int(random.next() % UInt64(vocabulary)) }
    }()

    static let configurations: [Configuration] = [
        // Hv = 2·Hk: the value-head order matters; GQA; R = 8 of D = 32.
        Configuration(name: "grouped", seed: 1, layers: ["lin", "lin", "lin", "full"]),
        // Irregular pattern, Hk = Hv, dk ≠ dv, tied embeddings.
        Configuration(name: "irregular", seed: 2, layers: ["lin", "full", "lin", "lin", "full"], heads: 4, kvHeads: 1,
                      keyHeads: 2, valueHeads: 2, keyDim: 16, valueDim: 24, tied: true),
        // Pattern from full_attention_interval, r = 3, K = 3, dk = 8, an MTP block to skip.
        Configuration(name: "interval", seed: 3, interval: 3, layerCount: 6, heads: 2, kvHeads: 2, headDim: 16,
                      rotary: 0.5, keyHeads: 2, valueHeads: 6, keyDim: 8, valueDim: 16, kernel: 3, nextn: 1),
    ]

    /// Every fixture, built once per test process (transformers takes a while to import).
    static let fixtures: Result<[String: Qwen35Fixture], any Error> = Result { try build() }

    static func fixture(_ name: String) throws -> Qwen35Fixture {
        try #require(try fixtures.get()[name], "no fixture \(name)")
    }

    private static func build() throws -> [String: Qwen35Fixture] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-qwen35-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The files stay mapped after they are removed.
        defer { try? FileManager.default.removeItem(at: directory) }
        struct Request: Encodable { var directory: String; var tokens: [Int]; var models: [Configuration] }
        let request = Request(directory: directory.path, tokens: tokens, models: configurations)
        _ = try ReferencePython.run(script, input: try JSONEncoder().encode(request))
        var fixtures: [String: Qwen35Fixture] = [:]
        for configuration in configurations {
            let name = configuration.name
            func logits(_ suffix: String) throws -> [[Float]] {
                let data = try Data(contentsOf: directory.appendingPathComponent(name + suffix))
                let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                return (0..<tokens.count).map { Array(floats[($0 * vocabulary)..<(($0 + 1) * vocabulary)]) }
            }
            fixtures[name] = Qwen35Fixture(
                name: name, configuration: configuration,
                logits: try logits(".logits"), float16CacheLogits: try logits(".f16cache.logits"),
                gguf: try GGUFFile(contentsOf: directory.appendingPathComponent(name + ".gguf").path),
                huggingFaceOrder: try GGUFFile(contentsOf: directory.appendingPathComponent(name + "-hf.gguf").path),
                checkpoint: try HuggingFaceCheckpoint(directory: directory.appendingPathComponent(name + "-checkpoint").path))
        }
        return fixtures
    }

    /// stdin: the `Request` as JSON. Writes `<name>.gguf`, `<name>-hf.gguf`, `<name>.logits` and
    /// `<name>.f16cache.logits` (float32 `[tokens, vocabulary]`) into the directory.
    static let script = #"""
import json, math, os, sys
import numpy as np
import torch
import gguf
from transformers import Qwen3_5TextConfig, Qwen3_5ForCausalLM

request = json.load(sys.stdin)
directory, tokens = request["directory"], request["tokens"]
VOCAB, EPS, THETA = 512, 1e-6, 10000.0

def build(m):
    kwargs = {}
    if "layers" in m:
        kwargs["layer_types"] = ["linear_attention" if t == "lin" else "full_attention" for t in m["layers"]]
        layers = len(m["layers"])
    else:
        kwargs["full_attention_interval"] = m["interval"]
        layers = m["layer_count"]
    config = Qwen3_5TextConfig(
        vocab_size=VOCAB, hidden_size=m["hidden"], intermediate_size=m["ffn"], num_hidden_layers=layers,
        num_attention_heads=m["heads"], num_key_value_heads=m["kv_heads"], head_dim=m["head_dim"],
        linear_num_key_heads=m["key_heads"], linear_num_value_heads=m["value_heads"],
        linear_key_head_dim=m["key_dim"], linear_value_head_dim=m["value_dim"],
        linear_conv_kernel_dim=m["kernel"], rms_norm_eps=EPS, tie_word_embeddings=m["tied"],
        max_position_embeddings=1024,
        rope_parameters={"rope_type": "default", "rope_theta": THETA, "partial_rotary_factor": m["rotary"],
                         "mrope_section": [2, 1, 1], "mrope_interleaved": True},
        **kwargs)
    config._attn_implementation = "eager"
    torch.manual_seed(m["seed"])
    model = Qwen3_5ForCausalLM(config).float().eval()
    # HF initialises RMSNorm1p weights to 0, the gated norm to 1 and A_log/dt_bias specially:
    # randomise everything so that every convention shows in the logits.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("linear_attn.norm.weight"):
                p.uniform_(0.7, 1.3)
            elif name.endswith("norm.weight"):
                p.uniform_(-0.3, 0.3)
            elif name.endswith("A_log"):
                p.uniform_(-1.0, 1.0)
            elif name.endswith("dt_bias"):
                p.uniform_(-1.0, 1.0)
            elif "conv1d" in name:
                p.uniform_(-0.6, 0.6)
            elif "embed_tokens" in name:
                # Logits of order 1 whether or not the output matrix is the embedding.
                p.normal_(0.0, 1.0 / math.sqrt(p.shape[1]))
            else:
                fan_in = p.shape[-1]
                p.uniform_(-1.0, 1.0).mul_(1.5 / math.sqrt(fan_in))
    return config, model

def write_gguf(path, m, config, model, permute):
    state = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    H, L = config.hidden_size, config.num_hidden_layers
    Hk, Hv, dk, dv = config.linear_num_key_heads, config.linear_num_value_heads, config.linear_key_head_dim, config.linear_value_head_dim
    r, Ck = Hv // Hk, Hk * dk
    nextn = m.get("nextn", 0)
    # GGUF position p = j*Hk + kh holds HF value head kh*r + j (spec §10.3).
    order = [(p % Hk) * r + p // Hk for p in range(Hv)] if permute else list(range(Hv))
    def heads(x, axis, width):
        x = np.moveaxis(x, axis, 0)
        rest = x.shape[1:]
        x = x.reshape((Hv, width) + rest)[order].reshape((Hv * width,) + rest)
        return np.moveaxis(x, 0, axis)
    w = gguf.GGUFWriter(path, "qwen35")
    w.add_context_length(1024)
    w.add_embedding_length(H)
    w.add_block_count(L + nextn)
    w.add_feed_forward_length(config.intermediate_size)
    w.add_head_count(config.num_attention_heads)
    w.add_head_count_kv(config.num_key_value_heads)
    w.add_key_length(config.head_dim)
    w.add_value_length(config.head_dim)
    w.add_layer_norm_rms_eps(EPS)
    w.add_rope_freq_base(THETA)
    w.add_rope_dimension_count(int(config.head_dim * m["rotary"]))
    w.add_rope_dimension_sections([2, 1, 1, 0])
    w.add_ssm_conv_kernel(config.linear_conv_kernel_dim)
    w.add_ssm_state_size(dk)
    w.add_ssm_group_count(Hk)
    w.add_ssm_time_step_rank(Hv)
    w.add_ssm_inner_size(Hv * dv)
    if "layers" in m:
        w.add_array("qwen35.attention.recurrent_layers", [t == "linear_attention" for t in config.layer_types] + [False] * nextn)
    else:
        w.add_full_attention_interval(m["interval"])
    if nextn:
        w.add_nextn_predict_layers(nextn)
    w.add_vocab_size(VOCAB)
    w.add_tokenizer_model("none")
    def add(name, x):
        w.add_tensor(name, np.ascontiguousarray(x, dtype=np.float32))
    add("token_embd.weight", state["model.embed_tokens.weight"])
    add("output_norm.weight", 1 + state["model.norm.weight"])
    if not config.tie_word_embeddings:
        add("output.weight", state["lm_head.weight"])
    for i in range(L):
        p, b = f"model.layers.{i}.", f"blk.{i}."
        add(b + "attn_norm.weight", 1 + state[p + "input_layernorm.weight"])
        add(b + "post_attention_norm.weight", 1 + state[p + "post_attention_layernorm.weight"])
        add(b + "ffn_gate.weight", state[p + "mlp.gate_proj.weight"])
        add(b + "ffn_up.weight", state[p + "mlp.up_proj.weight"])
        add(b + "ffn_down.weight", state[p + "mlp.down_proj.weight"])
        if config.layer_types[i] == "full_attention":
            a = p + "self_attn."
            add(b + "attn_q.weight", state[a + "q_proj.weight"])
            add(b + "attn_k.weight", state[a + "k_proj.weight"])
            add(b + "attn_v.weight", state[a + "v_proj.weight"])
            add(b + "attn_output.weight", state[a + "o_proj.weight"])
            add(b + "attn_q_norm.weight", 1 + state[a + "q_norm.weight"])
            add(b + "attn_k_norm.weight", 1 + state[a + "k_norm.weight"])
        else:
            a = p + "linear_attn."
            qkv = state[a + "in_proj_qkv.weight"]
            add(b + "attn_qkv.weight", np.concatenate([qkv[:2 * Ck], heads(qkv[2 * Ck:], 0, dv)]))
            add(b + "attn_gate.weight", heads(state[a + "in_proj_z.weight"], 0, dv))
            add(b + "ssm_beta.weight", heads(state[a + "in_proj_b.weight"], 0, 1))
            add(b + "ssm_alpha.weight", heads(state[a + "in_proj_a.weight"], 0, 1))
            conv = state[a + "conv1d.weight"][:, 0, :]
            add(b + "ssm_conv1d.weight", np.concatenate([conv[:2 * Ck], heads(conv[2 * Ck:], 0, dv)]))
            add(b + "ssm_dt.bias", heads(state[a + "dt_bias"], 0, 1))
            add(b + "ssm_a", heads(-np.exp(state[a + "A_log"]), 0, 1))
            add(b + "ssm_norm.weight", state[a + "norm.weight"])
            add(b + "ssm_out.weight", heads(state[a + "out_proj.weight"], 1, dv))
    # MTP blocks: shapes a decoder layer would reject, so loading them would fail.
    for i in range(L, L + nextn):
        add(f"blk.{i}.nextn.eh_proj.weight", np.ones((H, 2 * H)))
        add(f"blk.{i}.attn_norm.weight", np.ones(7))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

import transformers.models.qwen3_5.modeling_qwen3_5 as qwen3_5
plain_attention = qwen3_5.eager_attention_forward

def float16_cache_attention(module, query, key, value, attention_mask, scaling, dropout=0.0, **kwargs):
    # eager_attention_forward with the roundings of ggml's (and Kinglet's) Float16 KV cache: keys,
    # values, the query and the softmax weights become Float16 before their products.
    f16 = lambda x: x.half().float()
    keys = qwen3_5.repeat_kv(f16(key), module.num_key_value_groups)
    values = qwen3_5.repeat_kv(f16(value), module.num_key_value_groups)
    weights = torch.matmul(f16(query), keys.transpose(2, 3)) * scaling
    if attention_mask is not None:
        weights = weights + attention_mask
    weights = f16(torch.nn.functional.softmax(weights, dim=-1, dtype=torch.float32))
    return torch.matmul(weights, values).transpose(1, 2).contiguous(), weights

for m in request["models"]:
    config, model = build(m)
    for suffix, attention in [(".logits", plain_attention), (".f16cache.logits", float16_cache_attention)]:
        qwen3_5.eager_attention_forward = attention
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([tokens]), use_cache=False).logits[0].float().numpy()
        logits.astype("<f4").tofile(os.path.join(directory, m["name"] + suffix))
    write_gguf(os.path.join(directory, m["name"] + ".gguf"), m, config, model, permute=True)
    write_gguf(os.path.join(directory, m["name"] + "-hf.gguf"), m, config, model, permute=False)
    model.save_pretrained(os.path.join(directory, m["name"] + "-checkpoint"), safe_serialization=True)
"""#
}
