// Pins down Hugging Face checkpoint directories end to end through the `kinglet` command line: a
// tiny chat model saved by transformers with a tokenizer trained by `tokenizers` runs, chats with
// its own template and stops at its generation_config's end tokens; without tokenizer files it still
// runs on token ids; converted to GGUF it gives the same logits. Transformers is the reference.
import Foundation
import TestSupport
import Testing

@Suite(.serialized) struct CheckpointCLITests {
    /// What transformers did with the tiny model (see tiny_checkpoint.py).
    struct Reference: Decodable {
        let prompt: [Int32]
        let generated: [Int32]
        let end: [Int32]
        let text: String
        let logits: [[Float]]
    }

    static let user = "Hello there! How are you?"

    /// The checkpoint directory and transformers' results, made once per test process.
    static let fixture: Result<(directory: URL, reference: Reference), any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-checkpoint-\(UUID().uuidString)")
        let script = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("tiny_checkpoint.py"), encoding: .utf8)
        let output = try ReferencePython.run(script, arguments: [directory.path])
        return (directory, try JSONDecoder().decode(Reference.self, from: output))
    }

    func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? .infinity }.max() ?? .infinity
    }

    /// `kinglet logits --ids … --json` as rows of logits.
    func logits(_ model: String, ids: [Int32]) throws -> [[Float]] {
        let result = try TestEnvironment.runKinglet(["logits", "-m", model, "--cache-type", "f32", "--json",
                                                     "--ids", ids.map(String.init).joined(separator: ",")])
        #expect(result.status == 0, "\(result.err)")
        struct Line: Decodable { let logits: [Float] }
        return try result.out.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)).logits }
    }

    @Test func chatRunsWithTheCheckpointsOwnTokenizerTemplateAndEndTokens() throws {
        let (directory, reference) = try Self.fixture.get()
        let result = try TestEnvironment.runKinglet(["run", "-m", directory.path, "--cache-type", "f32", "--temperature", "0",
                                                     "-n", "\(reference.generated.count)", "--json", Self.user])
        #expect(result.status == 0, "\(result.err)")
        struct Line: Decodable { let id: Int32?; let done: Bool? }
        let lines = try result.out.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        let ids = lines.compactMap(\.id)
        // Transformers' greedy tokens up to the first end token (generation_config.json's eos ids).
        let expected = Array(reference.generated.prefix { !reference.end.contains($0) })
        #expect(ids == expected, "kinglet \(ids), transformers \(reference.generated)")
        #expect(lines.last?.done == true)
        // The prompt is the checkpoint's chat template (chat_template.jinja) rendered and tokenized as transformers does.
        let logits = try logits(directory.path, ids: reference.prompt)
        #expect(logits.count == reference.prompt.count)
    }

    /// One directory per family (Llama, Mistral, Qwen2, Qwen3, Gemma 3, Phi-3, SmolLM3, Qwen3.5), all with the
    /// same tokenizer: `kinglet info` describes each and `kinglet run` continues a raw prompt with
    /// transformers' greedy tokens.
    @Test func everyFamilyRunsFromItsCheckpointDirectory() throws {
        struct Family: Decodable { let prompt: [Int32]; let generated: [Int32]; let end: [Int32] }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-families-\(UUID().uuidString)")
        let script = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("tiny_checkpoint.py"), encoding: .utf8)
        let families = try JSONDecoder().decode([String: Family].self,
                                                from: try ReferencePython.run(script, arguments: [root.path, "families"]))
        #expect(families.count == 8)
        for (modelType, reference) in families.sorted(by: { $0.key < $1.key }) {
            let directory = root.appendingPathComponent(modelType).path
            let info = try TestEnvironment.runKinglet(["info", "-m", directory])
            #expect(info.status == 0 && info.out.contains(modelType), "\(modelType): \(info.err)")
            let run = try TestEnvironment.runKinglet(["run", "-m", directory, "--raw", "--cache-type", "f32", "--temperature", "0",
                                                      "-n", "\(reference.generated.count)", "--json", "The quick brown fox"])
            #expect(run.status == 0, "\(modelType): \(run.err)")
            struct Line: Decodable { let id: Int32? }
            let ids = try run.out.split(separator: "\n").compactMap { try JSONDecoder().decode(Line.self, from: Data($0.utf8)).id }
            let expected = Array(reference.generated.prefix { !reference.end.contains($0) })
            #expect(ids == expected, "\(modelType): kinglet \(ids), transformers \(reference.generated)")
        }
    }

    @Test func infoDescribesTheCheckpoint() throws {
        let (directory, _) = try Self.fixture.get()
        let result = try TestEnvironment.runKinglet(["info", "-m", directory.path])
        #expect(result.status == 0, "\(result.err)")
        for fragment in ["model type", "qwen2", "tokenizer.json", "generation_config.json", "layers", "2"] {
            #expect(result.out.contains(fragment), "\(fragment) missing from: \(result.out)")
        }
    }

    @Test func withoutTokenizerFilesItRunsOnTokenIdsOnly() throws {
        let (directory, reference) = try Self.fixture.get()
        let bare = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-bare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: directory.appendingPathComponent(name), to: bare.appendingPathComponent(name))
        }
        let got = try logits(bare.path, ids: reference.prompt)
        #expect(maxDifference(got, reference.logits) <= 1e-3, "max |Δlogit| = \(maxDifference(got, reference.logits))")
        let text = try TestEnvironment.runKinglet(["run", "-m", bare.path, "hi"])
        #expect(text.status != 0)
        #expect(text.err.contains("no tokenizer"), "\(text.err)")
    }

    @Test func convertedToGGUFItGivesTheSameLogits() throws {
        let (directory, reference) = try Self.fixture.get()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-converted-\(UUID().uuidString).gguf")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try TestEnvironment.runKinglet(["convert", directory.path, "-o", output.path, "--type", "f32"])
        #expect(result.status == 0, "\(result.err)")
        let got = try logits(output.path, ids: reference.prompt)
        #expect(maxDifference(got, reference.logits) <= 1e-3, "max |Δlogit| = \(maxDifference(got, reference.logits))")
    }

    /// A base model (no chat template) served: chat is a 400 that says to use completions, which work.
    @Test func servingABaseModelRefusesChatClearly() throws {
        let (directory, _) = try Self.fixture.get()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-base-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: directory, to: base)
        defer { try? FileManager.default.removeItem(at: base) }
        try? FileManager.default.removeItem(at: base.appendingPathComponent("chat_template.jinja"))
        let configURL = base.appendingPathComponent("tokenizer_config.json")
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        config["chat_template"] = nil
        try JSONSerialization.data(withJSONObject: config).write(to: configURL)

        let server = try ServerProcess(["--context", "128", "--parallel", "1"], model: base.path)
        defer { server.stop() }
        let script = """
            import json, sys, urllib.error, urllib.request
            port = json.load(sys.stdin)["port"]
            def post(path, body):
                request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                                 headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as r: return [r.status, json.load(r)]
                except urllib.error.HTTPError as e: return [e.code, json.load(e)]
            json.dump({"chat": post("/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}]}),
                       "completion": post("/v1/completions", {"prompt": "Hello", "max_tokens": 3})}, sys.stdout)
            """
        let output = try ReferencePython.run(script, input: try JSONSerialization.data(withJSONObject: ["port": server.port]))
        let results = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [Any]])
        let chatError = (results["chat"]?[1] as? [String: Any])?["error"] as? [String: Any]
        #expect(results["chat"]?[0] as? Int == 400)
        #expect(chatError?["code"] as? String == "model_not_chat")
        #expect((chatError?["message"] as? String)?.contains("/v1/completions") == true)
        #expect(results["completion"]?[0] as? Int == 200, "\(results["completion"] ?? [])")
    }
}
