// Pins down the `kinglet` command line contract: run/info/logits output shapes and one-line errors for bad models.
import Foundation
import GGUF
import Kinglet
import Templates
import Testing

@Suite(.serialized) struct CLITests {
    func temporaryFile(_ bytes: [UInt8], name: String = "model.gguf") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// A failing command: non-zero exit, one `Error:` line on stderr containing `fragment`, nothing on stdout.
    func expectFailure(_ arguments: [String], mentions fragment: String) throws {
        let result = try TestEnvironment.runKinglet(arguments)
        #expect(result.status != 0)
        #expect(result.out.isEmpty)
        let lines = result.err.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.err)")
        #expect(result.err.contains(fragment), "stderr: \(result.err)")
    }

    @Test func runOnMissingFileSaysSo() throws {
        try expectFailure(["run", "-m", "/nonexistent/model.gguf", "hi"], mentions: "/nonexistent/model.gguf")
    }

    @Test func runOnDirectorySaysSo() throws {
        try expectFailure(["run", "-m", FileManager.default.temporaryDirectory.path, "hi"], mentions: "directory")
    }

    @Test func runOnUnsupportedArchitectureNamesIt() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("mamba2"))
        let url = try temporaryFile(writer.serialized())
        try expectFailure(["run", "-m", url.path, "hi"], mentions: "mamba2")
    }

    @Test func runOnTruncatedFileSaysWhere() throws {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("qwen2"))
        writer.set("general.name", .string("a name long enough to cut in half"))
        let bytes = writer.serialized()
        // End the file in the middle of the name string (cutting only the trailing padding is valid GGUF).
        let nameStart = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("a name".utf8)) })
        let url = try temporaryFile(Array(bytes[0..<(nameStart + 10)]))
        try expectFailure(["run", "-m", url.path, "hi"], mentions: "truncated")
    }

    @Test func runOnUnfetchedStoreNameSaysHowToFetch() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-empty-home-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = try TestEnvironment.kingletBinary
        process.arguments = ["run", "-m", "gemma3:270m", "hi"]
        process.environment = ProcessInfo.processInfo.environment.merging(["KINGLET_HOME": home.path]) { $1 }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("kinglet pull gemma3:270m"), "\(message)")
    }

    /// The library's own greedy continuation: what the command line must print.
    func libraryGreedy(_ model: String, prompt: String, tokens: Int) async throws -> (ids: [Int32], text: String) {
        let lm = try LanguageModel(model, options: .init(threads: 2))
        var ids: [Int32] = [], text = ""
        let prompt = lm.tokenizer.encode(prompt, parseSpecial: true)
        for try await event in lm.generate(prompt: prompt, parameters: .greedy(maxTokens: tokens)) {
            if case .token(let token) = event { ids.append(token.id); text += token.text }
            if case .text(let rest) = event { text += rest }
        }
        return (ids, text)
    }

    @Test func runJSONStreamsTheLibrarysTokens() async throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let record = try GreedyRecord.load(QwenConformanceTests.recordsFile)[0]
        let expected = try await libraryGreedy(model, prompt: record.rendered_prompt, tokens: 8)
        let result = try TestEnvironment.runKinglet(
            ["run", "-m", model, "--raw", "--temperature", "0", "-n", "8", "-t", "2", "--json", "--top-logprobs", "3",
             record.rendered_prompt])
        #expect(result.status == 0, "\(result.err)")
        let objects = try result.out.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 9)
        let ids = objects.dropLast().compactMap { $0["id"] as? Int }.map(Int32.init)
        #expect(ids == expected.ids)
        #expect(ids.first == record.gen_ids.first)   // " Paris", not a near-tie
        for object in objects.dropLast() {
            let logprob = try #require(object["logprob"] as? Double)
            #expect(logprob <= 0)
            #expect((object["top_logprobs"] as? [[String: Any]])?.count == 3)
            #expect(object["text"] is String)
        }
        let done = try #require(objects.last)
        #expect(done["done"] as? Bool == true)
        #expect(done["prompt_tokens"] as? Int == record.prompt_ids.count)
        #expect(done["generated_tokens"] as? Int == 8)
        #expect((done["decode_tokens_per_second"] as? Double ?? 0) > 0)
        #expect((done["prompt_tokens_per_second"] as? Double ?? 0) > 0)
    }

    @Test func runReadsPromptFromStandardInputAndStreamsText() async throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let record = try GreedyRecord.load(QwenConformanceTests.recordsFile)[1]
        let expected = try await libraryGreedy(model, prompt: record.rendered_prompt, tokens: 12)
        let result = try TestEnvironment.runKinglet(
            ["run", "-m", model, "--raw", "--temperature", "0", "-n", "12"], stdin: record.rendered_prompt)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == expected.text + "\n")
        #expect(!expected.text.isEmpty)
    }

    @Test func logitsTopJSONHasOneLinePerPosition() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let record = try GreedyRecord.load(QwenConformanceTests.recordsFile)[0]
        let ids = record.prompt_ids.map(String.init).joined(separator: ",")
        let result = try TestEnvironment.runKinglet(["logits", "-m", model, "--ids", ids, "--top", "10", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n")
        #expect(lines.count == record.prompt_ids.count)
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        #expect(last["pos"] as? Int == record.prompt_ids.count - 1)
        let top = try #require(last["top"] as? [[String: Any]])
        #expect(top.compactMap { $0["id"] as? Int }.first == Int(record.top_logprobs[0].id))
        for (got, expected) in zip(top, record.top_logprobs) {
            #expect(abs((got["logit"] as? Double ?? 0) - Double(expected.logit)) < 0.3)
        }
    }

    @Test func logitsFullJSONHasTheWholeVocabulary() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let result = try TestEnvironment.runKinglet(["logits", "-m", model, "--ids", "785,6722", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect((first["logits"] as? [Double])?.count == 151_936)
    }

    @Test func logitsRejectsBadIds() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        try expectFailure(["logits", "-m", model, "--ids", "1,x"], mentions: "--ids")
        try expectFailure(["logits", "-m", model, "--ids", "999999999"], mentions: "vocabulary")
    }

    @Test func templateCommandPrintsTheRenderedPromptExactly() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        for record in try GreedyRecord.load(QwenConformanceTests.recordsFile) where record.messages != nil {
            let messages = try temporaryFile(Array(TemplateValue.array(try record.messageValues()).jsonString().utf8), name: "messages.json")
            let result = try TestEnvironment.runKinglet(["template", "-m", model, "--messages", messages.path])
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out == record.rendered_prompt, "\(record.prompt_id)")
        }
    }

    @Test func templateCommandRendersAFileWithGivenTokens() throws {
        let template = try temporaryFile(Array("{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}{{ eos_token }}".utf8),
                                         name: "t.jinja")
        let messages = try temporaryFile(Array(#"[{"role": "user", "content": "héllo"}]"#.utf8), name: "m.json")
        let result = try TestEnvironment.runKinglet(
            ["template", "--template", template.path, "--messages", messages.path, "--bos", "<s>", "--eos", "</s>"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "<s>[user]héllo</s>")
    }

    @Test func templateErrorsAreOneLine() throws {
        let template = try temporaryFile(Array("{% if %}".utf8), name: "bad.jinja")
        let messages = try temporaryFile(Array("[]".utf8), name: "m.json")
        try expectFailure(["template", "--template", template.path, "--messages", messages.path], mentions: "line 1")
        try expectFailure(["template", "--template", template.path, "--messages", "/nonexistent.json"], mentions: "/nonexistent.json")
    }

    @Test func tokenizeJSONLinesMatchesTheConformanceIds() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let url = TestEnvironment.conformance.appendingPathComponent("tokenizer/expected-qwen2.jsonl")
        let records = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").prefix(40)
        let input = records.joined(separator: "\n") + "\n"   // extra keys (ids, case) are ignored
        let result = try TestEnvironment.runKinglet(["tokenize", "-m", model, "--jsonl"], stdin: input)
        #expect(result.status == 0, "\(result.err)")
        let got = result.out.split(separator: "\n")
        #expect(got.count == records.count)
        for (line, record) in zip(got, records) {
            let expected = try #require(try JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["ids"] as? [Int] == expected["ids"] as? [Int], "\(expected["case"] ?? "")")
        }
    }

    @Test func infoDescribesTheModel() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let result = try TestEnvironment.runKinglet(["info", "-m", model])
        #expect(result.status == 0, "\(result.err)")
        for fragment in ["qwen2", "Q5_0", "Q4_K", "Q6_K", "Q8_0", "F32", "151936", "gpt2", "qwen2", "24", "896",
                         "32768", "KV cache", "468.6 MiB", "kernels"] {
            #expect(result.out.contains(fragment), "info lacks \(fragment):\n\(result.out)")
        }
    }

    @Test func benchPrintsOneJSONLinePerTest() throws {
        let model = try TestEnvironment.modelPath("qwen2.5-coder:0.5b")
        let result = try TestEnvironment.runKinglet(["bench", "-m", model, "-p", "16", "-n", "4", "-r", "1", "-t", "1", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(result.out)")
        let fileBytes = try #require(try FileManager.default.attributesOfItem(atPath: model)[.size] as? Int)
        let keys = ["test", "threads", "tokens_per_second", "stddev", "roofline_ratio", "peak_rss_bytes"]
        for (line, test) in zip(lines, ["pp16", "tg4"]) {
            // The contract's keys come first, in this order; more may follow.
            let offsets = keys.compactMap { line.range(of: "\"\($0)\": ")?.lowerBound }
            #expect(offsets.count == keys.count && offsets == offsets.sorted(), "\(line)")
            #expect(line.hasPrefix("{\"test\": "), "\(line)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["test"] as? String == test)
            #expect(object["threads"] as? Int == 1)
            let speed = try #require(object["tokens_per_second"] as? Double)
            #expect(speed.isFinite && speed > 0, "\(line)")
            #expect(object["stddev"] as? Double == 0, "one repetition has no spread")
            if test.hasPrefix("tg") {
                // Every token streams ~0.5 GB of weights from memory (L3 is far smaller), so a decode
                // step cannot beat the measured bandwidth by much; 1.5 leaves room for a noisy probe.
                let ratio = try #require(object["roofline_ratio"] as? Double, "\(line)")
                #expect(ratio > 0 && ratio < 1.5, "\(line)")
            } else {
                #expect(object["roofline_ratio"] is NSNull, "\(line)")
            }
            // The mapped weights are resident once read; the 1 GiB bandwidth buffer is not counted.
            let peak = try #require(object["peak_rss_bytes"] as? Int)
            #expect(peak >= fileBytes / 2 && peak < fileBytes + 512 << 20, "\(line)")
            if test.hasPrefix("tg") {
                #expect((object["bandwidth_bytes_per_second"] as? Double ?? 0) > 0, "\(line)")
            } else {
                #expect(object["bandwidth_bytes_per_second"] is NSNull, "a prompt test has no roofline: \(line)")
            }
        }
    }

    @Test func benchKernelsPrintsEachFormatAgainstTheBandwidth() throws {
        // Small matrices keep the test short: the "streamed" one fits the last-level cache here.
        let result = try TestEnvironment.runKinglet(["bench", "kernels", "--formats", "q5_0,Q4_K", "--columns", "512",
                                                     "--cached-bytes", "65536", "--streamed-bytes", "4194304", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(result.out)")
        for (line, format) in zip(lines, ["q5_0", "q4_K"]) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["format"] as? String == format)
            #expect(object["columns"] as? Int == 512 && object["threads"] as? Int == 1)
            let cached = try #require(object["cached_bytes_per_second"] as? Double)
            let bandwidth = try #require(object["bandwidth_bytes_per_second"] as? Double)
            let ratio = try #require(object["cached_ratio"] as? Double)
            #expect(cached > 0 && bandwidth > 0, "\(line)")
            #expect(abs(ratio - cached / bandwidth) <= 1e-9 * ratio, "\(line)")
            #expect((object["streamed_bytes_per_second"] as? Double ?? 0) > 0, "\(line)")
        }

        let misfit = try TestEnvironment.runKinglet(["bench", "kernels", "--formats", "q4_K", "--columns", "896"])
        #expect(misfit.status != 0)
        #expect(misfit.err.contains("multiple of q4_K's block of 256"), "\(misfit.err)")
    }

    @Test func benchKeepsItsGrammarSubcommand() throws {
        let result = try TestEnvironment.runKinglet(["bench", "grammar", "--help"])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("grammar mask"), "\(result.out)")
    }
}
