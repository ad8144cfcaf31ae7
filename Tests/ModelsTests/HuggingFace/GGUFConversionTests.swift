// Pins down the GGUF files Kinglet writes from Hugging Face checkpoints: read back by gguf-py,
// every tensor is what llama.cpp's converter would store (names from gguf-py's own tensor map,
// values with the converter's permutations and changes redone in NumPy), and files are written
// atomically.
import Foundation
import GGUF
import Models
import TestSupport
import Testing

@Suite struct GGUFConversionTests {
    /// For each (gguf, checkpoint) pair: the converter's expected tensors from the checkpoint,
    /// compared with the file's. Prints one line per problem.
    static let converterCheck = #"""
    import glob, json, math, sys
    import numpy as np, torch, gguf
    from safetensors.torch import load_file

    ARCH = {"llama": gguf.MODEL_ARCH.LLAMA, "qwen2": gguf.MODEL_ARCH.QWEN2, "qwen3": gguf.MODEL_ARCH.QWEN3,
            "gemma3": gguf.MODEL_ARCH.GEMMA3, "phi3": gguf.MODEL_ARCH.PHI3, "qwen35": gguf.MODEL_ARCH.QWEN35,
            "smollm3": gguf.MODEL_ARCH.SMOLLM3}

    def permute(w, n_head):  # conversion/llama.py LlamaModel.permute
        return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)

    def reorder_v_heads(t, dim, nk, r, hd):  # conversion/qwen.py _LinearAttentionVReorderBase._reorder_v_heads
        shape = list(t.shape)
        new = shape[:dim] + [nk, r, hd] + shape[dim + 1:]
        perm = list(range(len(new)))
        perm[dim], perm[dim + 1] = perm[dim + 1], perm[dim]
        return t.reshape(new).permute(*perm).contiguous().reshape(shape)

    def qwen35(name, t, h):  # _LinearAttentionVReorderBase + Qwen3NextModel.modify_tensors
        nk, nv = h["linear_num_key_heads"], h["linear_num_value_heads"]
        dk, dv, r = h["linear_key_head_dim"], h["linear_value_head_dim"], nv // nk
        if nk != nv and "linear_attn." in name:
            if ".in_proj_qkv." in name:
                t = torch.cat([t[:2 * nk * dk], reorder_v_heads(t[2 * nk * dk:], 0, nk, r, dv)])
            elif ".in_proj_z." in name:
                t = reorder_v_heads(t, 0, nk, r, dv)
            elif ".in_proj_b." in name or ".in_proj_a." in name:
                t = reorder_v_heads(t, 0, nk, r, 1)
            elif ".A_log" in name or ".dt_bias" in name:
                t = reorder_v_heads(t.unsqueeze(-1), 0, nk, r, 1).squeeze(-1)
            elif ".conv1d" in name:
                t = t.squeeze()
                t = torch.cat([t[:2 * nk * dk], reorder_v_heads(t[2 * nk * dk:], 0, nk, r, dv)])
            elif ".out_proj." in name:
                t = reorder_v_heads(t, 1, nk, r, dv)
        if name.endswith(".A_log"):
            t = -torch.exp(t)
        elif name.endswith(".dt_bias"):
            name = name.rpartition(".dt_bias")[0] + ".dt_proj.bias"
        elif "conv1d" in name:
            t = t.squeeze()
        elif name.endswith("norm.weight") and not name.endswith("linear_attn.norm.weight"):
            t = t + 1
        return name, t

    def llama3_factors(h):  # LlamaModel.generate_extra_tensors (original context from rope_parameters, as transformers reads it)
        p = h["rope_parameters"]
        base, dim = p["rope_theta"], h.get("head_dim") or h["hidden_size"] // h["num_attention_heads"]
        freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        factor, low, high = p.get("factor", 8.0), p.get("low_freq_factor", 1.0), p.get("high_freq_factor", 4.0)
        old = p.get("original_max_position_embeddings", 8192)
        out = []
        for freq in freqs:
            wavelen = 2 * math.pi / freq
            if wavelen < old / high: out.append(1)
            elif wavelen > old / low: out.append(factor)
            else:
                smooth = (old / wavelen - low) / (high - low)
                out.append(1 / ((1 - smooth) / factor + smooth))
        return torch.tensor(out, dtype=torch.float32)

    for gguf_path, directory in json.load(sys.stdin):
        label = directory.rsplit("/", 1)[-1]
        config = json.load(open(directory + "/config.json"))
        h = {**config, **config.get("text_config", {})}
        reader = gguf.GGUFReader(gguf_path)
        arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
        names = gguf.get_tensor_name_map(ARCH[arch], h["num_hidden_layers"])
        expected = {}
        for path in sorted(glob.glob(directory + "/*.safetensors")):
            for name, t in load_file(path).items():
                if "vision" in name or "projector." in name:
                    continue
                t = t.float()
                name = name.replace("language_model.model.", "model.")
                if arch in ("llama", "smollm3") and name.endswith("q_proj.weight"):   # SmolLM3Model(LlamaModel)
                    t = permute(t, h["num_attention_heads"])
                if arch in ("llama", "smollm3") and name.endswith("k_proj.weight"):
                    t = permute(t, h["num_key_value_heads"])
                if arch == "gemma3" and name.endswith("norm.weight"):
                    t = t + 1
                if arch == "qwen35":
                    name, t = qwen35(name, t, h)
                new = names.get_name(name, try_suffixes=(".weight", ".bias"))
                if new is None:
                    print(f"{label}: gguf-py has no name for {name}")
                    continue
                expected[new] = t.numpy()
        if h.get("rope_parameters", {}).get("rope_type") == "llama3":
            expected["rope_freqs.weight"] = llama3_factors(h).numpy()
        got = {t.name: t for t in reader.tensors}
        for name in sorted(set(expected) ^ set(got)):
            print(f"{label}: {name} is {'missing' if name in expected else 'extra'}")
        for name in sorted(set(expected) & set(got)):
            e, t = expected[name], got[name]
            shape = tuple(reversed([int(n) for n in t.shape]))
            if e.shape != shape:
                print(f"{label}: {name} has shape {shape}, the converter's {e.shape}")
            elif t.tensor_type == gguf.GGMLQuantizationType.F32:
                if not np.allclose(e, np.array(t.data).reshape(shape), rtol=1e-6, atol=1e-7):
                    print(f"{label}: {name} differs by {np.abs(e - np.array(t.data).reshape(shape)).max()}")
            elif bytes(gguf.quants.quantize(e, t.tensor_type)) != bytes(np.array(t.data)):
                print(f"{label}: {name} ({t.tensor_type.name}) is not gguf-py's quantization of the converter's values")
    """#

    /// F32 tensors equal the converter's values; F16 and Q8_0 ones are byte for byte what
    /// gguf-py's quantizers (the converter's own) make of them.
    @Test func filesHoldWhatTheConverterWouldStore() throws {
        var pairs: [[String]] = []
        for name in HuggingFaceReferenceTests.models + ["qwen3_5"] {
            let model = try TransformersFixtures.model(name)
            let checkpoint = try HuggingFaceCheckpoint(directory: model.directory)
            for type in GGUFConversion.MatrixType.allCases {
                let path = TransformersFixtures.root + "/\(name)-\(type).gguf"
                try GGUFConversion.write(checkpoint, to: path, type: type)
                pairs.append([path, model.directory])
            }
        }
        let input = try JSONSerialization.data(withJSONObject: pairs)
        let problems = String(decoding: try ReferencePython.run(Self.converterCheck, input: input), as: UTF8.self)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func keysTypesAndTheTokenizerStub() throws {
        let model = try TransformersFixtures.model("qwen3")
        let checkpoint = try HuggingFaceCheckpoint(directory: model.directory)
        let file = try GGUFFile(bytes: try GGUFConversion.writer(for: checkpoint, type: .q8_0).serialized())
        #expect(try file.metadata.string("tokenizer.ggml.model") == "none")
        #expect(try file.metadata.integer("general.file_type") == 7 && file.metadata.integer("qwen3.vocab_size") == 128)
        for key in checkpoint.metadata.keys { #expect(file.metadata[key] == checkpoint.metadata[key], "\(key)") }
        #expect(file.tensors.map(\.name) == checkpoint.tensorNames)
        #expect(file.tensor(named: "blk.0.attn_q.weight")?.type == .q8_0)
        #expect(file.tensor(named: "blk.0.attn_q_norm.weight")?.type == .f32)
        #expect(file.tensor(named: "output_norm.weight")?.type == .f32)
    }

    @Test func writesAtomically() throws {
        let checkpoint = try HuggingFaceCheckpoint(directory: try TransformersFixtures.model("llama").directory)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-gguf-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.gguf"
        try GGUFConversion.write(checkpoint, to: path, type: .f16)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.gguf"])
        #expect(try GGUFFile(contentsOf: path).tensor(named: "blk.0.attn_q.weight")?.type == .f16)

        let unwritable = directory + "/missing/model.gguf"
        #expect(throws: ModelError.self) { try GGUFConversion.write(checkpoint, to: unwritable, type: .f32) }
        #expect(!FileManager.default.fileExists(atPath: unwritable))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.gguf"])
    }

    @Test func longRoPEFilesAreRefusedByPhi3() throws {
        let checkpoint = try HuggingFaceCheckpoint(directory: try TransformersFixtures.model("phi3").directory)
        var writer = try GGUFConversion.writer(for: checkpoint, type: .f32)
        try writer.addTensor(name: "rope_factors_long.weight", type: .f32, dimensions: [4], bytes: [UInt8](repeating: 0, count: 16))
        #expect(throws: ModelError.invalidHyperparameter(
            "rope_factors_long.weight", "LongRoPE scaling (Phi-3 128k, Phi-3.5) is not supported yet; use a 4k-context Phi-3")) {
            try ArchitectureRegistry.load(try GGUFFile(bytes: writer.serialized()))
        }
    }
}
