// Tokenizer(tokenizerJSON:) against Python `tokenizers` (tokenizer.json files built from the Qwen2.5 and
// Gemma 3 GGUFs), the conformance ids and the GGUF-built tokenizers; typed errors for malformed files.
import Foundation
import Testing
@testable import Tokenizers

struct HuggingFaceTokenizerTests {
    static let qwen: Result<Tokenizer, any Error> = Result {
        try Tokenizer(tokenizerJSON: HuggingFaceReference.qwenTokenizerJSON.get())
    }

    static let gemma: Result<Tokenizer, any Error> = Result {
        try Tokenizer(tokenizerJSON: HuggingFaceReference.gemmaTokenizerJSON.get(),
                      config: HuggingFaceTokenizerConfig(bosToken: "<bos>", eosToken: "<eos>", addBOS: true))
    }

    /// The same ids as the GGUF-built tokenizer on every conformance text, special on and off.
    private func checkAgainstGGUF(_ name: String, _ fromJSON: Tokenizer, _ fromGGUF: Tokenizer) throws {
        var failures: [String] = []
        for record in try Fixtures.expected(name) {
            for special in [true, false] {
                let json = fromJSON.encode(record.text, parseSpecial: special)
                let gguf = fromGGUF.encode(record.text, parseSpecial: special)
                if json != gguf { failures.append("\(record.case) special=\(special): json \(json), gguf \(gguf)") }
            }
            let ids = fromGGUF.encode(record.text, parseSpecial: record.special)
            #expect(fromJSON.decode(ids) == fromGGUF.decode(ids))
        }
        #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.joined(separator: "\n"))")
    }

    @Test func qwen2Conformance() throws {
        try Fixtures.checkConformance("qwen2", Self.qwen.get())
    }

    @Test func qwen2MatchesGGUFTokenizer() throws {
        let fromJSON = try Self.qwen.get()
        let fromGGUF = try Fixtures.qwen.get()
        try checkAgainstGGUF("qwen2", fromJSON, fromGGUF)
        #expect(fromJSON.addsBOS == fromGGUF.addsBOS && !fromJSON.addsEOS)
        #expect(fromJSON.isControl(151644) && fromJSON.kind(of: 151657) == .userDefined)
        #expect(fromJSON.vocabularySize == 151665)
    }

    @Test func gemma3SentencePieceConformance() throws {
        try Fixtures.checkConformance("gemma3", Self.gemma.get(), bos: 2)
    }

    @Test func gemma3MatchesGGUFTokenizer() throws {
        let fromJSON = try Self.gemma.get()
        try checkAgainstGGUF("gemma3", fromJSON, Fixtures.gemma.get())
        #expect(fromJSON.addsBOS && fromJSON.bosToken == 2 && fromJSON.eosToken == 1)
    }

    @Test func configSetsSpecialTokensAndTemplate() throws {
        let configDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-hf-config-\(UUID())")
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: configDirectory) }
        try HuggingFaceReference.qwenTokenizerJSON.get().write(to: configDirectory.appendingPathComponent("tokenizer.json"))
        let config = #"""
            {"add_bos_token": true, "bos_token": {"content": "<|endoftext|>", "special": true},
             "eos_token": "<|im_end|>", "pad_token": null, "chat_template": "{{ messages }}"}
            """#
        try Data(config.utf8).write(to: configDirectory.appendingPathComponent("tokenizer_config.json"))
        let (tokenizer, loaded) = try Tokenizer.huggingFace(directory: configDirectory)
        #expect(loaded.chatTemplate == "{{ messages }}")
        #expect(loaded.bosToken == "<|endoftext|>" && loaded.eosToken == "<|im_end|>" && loaded.padToken == nil)
        #expect(tokenizer.addsBOS && tokenizer.bosToken == 151643 && tokenizer.eosToken == 151645)
        #expect(tokenizer.encode("Hello world") == [151643, 9707, 1879])
        #expect(tokenizer.endOfGenerationTokens.contains(151645))
    }

    @Test func configListsNamedTemplates() throws {
        let json = #"{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}"#
        #expect(try HuggingFaceTokenizerConfig(json: Data(json.utf8)).chatTemplate == "D")
    }

    // MARK: Tiny files

    /// A byte-level tokenizer.json: the 256 byte tokens, then `extra`, with `merges` and the
    /// pre-tokenizer given.
    private static func tinyJSON(extra: [String] = ["ab"], merges: String = #"["a b"]"#, modelType: String = "BPE",
                                 preTokenizer: String = Self.qwenPreTokenizer, normalizer: String = #"{"type": "NFC"}"#,
                                 postProcessor: String = "null", addedTokens: String = "[]") -> Data {
        let tokens = TinyGGUF.byteTokens + extra
        let vocab = tokens.enumerated().map { "\(jsonString($1)): \($0)" }.joined(separator: ", ")
        return Data("""
            {"version": "1.0", "added_tokens": \(addedTokens), "normalizer": \(normalizer),
             "pre_tokenizer": \(preTokenizer), "post_processor": \(postProcessor), "decoder": null,
             "model": {"type": "\(modelType)", "vocab": {\(vocab)}, "merges": \(merges), "byte_fallback": false}}
            """.utf8)
    }

    private static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    private static func preTokenizer(regex: String) -> String {
        """
        {"type": "Sequence", "pretokenizers": [
          {"type": "Split", "pattern": {"Regex": \(jsonString(regex))}, "behavior": "Isolated", "invert": false},
          {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
        """
    }

    private static let qwenPreTokenizer = preTokenizer(regex: PreTokenizer.huggingFaceRegexes[0].regex)

    private func loadError(_ data: Data) -> TokenizerError? {
        do {
            _ = try Tokenizer(tokenizerJSON: data)
            return nil
        } catch {
            return error
        }
    }

    @Test func tinyFileLoadsBothMergeForms() throws {
        for merges in [#"["a b"]"#, #"[["a", "b"]]"#] {
            let tokenizer = try Tokenizer(tokenizerJSON: Self.tinyJSON(merges: merges))
            #expect(tokenizer.encode("ab") == [256])
            #expect(tokenizer.encode("abc") == [256, 99])
        }
    }

    @Test func addedTokensKeepTheirSpecialFlag() throws {
        let added = #"""
            [{"id": 257, "content": "<|end|>", "special": true, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
             {"id": 258, "content": "<tool>", "special": false, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false}]
            """#
        let tokenizer = try Tokenizer(tokenizerJSON: Self.tinyJSON(addedTokens: added))
        #expect(tokenizer.encode("<|end|><tool>") == [257, 258])
        #expect(tokenizer.encode("<|end|><tool>", parseSpecial: false) == Array("<|end|>".utf8).map { Int32($0) } + [258])
        #expect(tokenizer.isControl(257) && tokenizer.kind(of: 258) == .userDefined)
    }

    @Test func templateProcessingAddsBOS() throws {
        let added = #"[{"id": 257, "content": "<s>", "special": true}]"#
        let post = #"""
            {"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]}]}
            """#
        let tokenizer = try Tokenizer(tokenizerJSON: Self.tinyJSON(postProcessor: post, addedTokens: added))
        #expect(tokenizer.addsBOS && tokenizer.bosToken == 257)
        #expect(tokenizer.encode("ab") == [257, 256])
    }

    @Test func gpt2ByteLevelPreTokenizer() throws {
        let pre = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}"#
        let tokenizer = try Tokenizer(tokenizerJSON: Self.tinyJSON(preTokenizer: pre, normalizer: "null"))
        guard case .byteLevel(_, .gpt2) = tokenizer.algorithm else { Issue.record("expected GPT-2"); return }
    }

    @Test func llama3NeedsIgnoreMergesAndNoNormalizer() throws {
        let pre = Self.preTokenizer(regex: PreTokenizer.huggingFaceRegexes[1].regex)
        guard case .unsupportedTokenizerJSON(key: "model.ignore_merges", _) = loadError(Self.tinyJSON(preTokenizer: pre, normalizer: "null")) else {
            Issue.record("expected unsupportedTokenizerJSON")
            return
        }
        guard case .unsupportedTokenizerJSON(key: "normalizer", _) = loadError(Self.tinyJSON(preTokenizer: pre)) else {
            Issue.record("expected unsupportedTokenizerJSON")
            return
        }
    }

    @Test func tinySentencePieceFile() throws {
        let bytes = (0..<256).map { "<0x" + ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) + ">" }
        let tokens = ["<unk>", "<s>", "</s>"] + bytes + ["\u{2581}", "a", "b", "\u{2581}a", "ab", "\u{2581}ab"]
        let vocab = tokens.enumerated().map { "\(Self.jsonString($1)): \($0)" }.joined(separator: ", ")
        let json = """
            {"added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}],
             "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u{2581}"},
               {"type": "Replace", "pattern": {"String": " "}, "content": "\u{2581}"}]},
             "pre_tokenizer": null,
             "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}]},
             "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "vocab": {\(vocab)},
               "merges": [["\u{2581}", "a"], "a b", "\u{2581}a b"]}}
            """
        let tokenizer = try Tokenizer(tokenizerJSON: Data(json.utf8))
        #expect(tokenizer.encode("ab ab") == [1, 264, 264])
        #expect(tokenizer.encode("ab c", addBOS: false) == [264, 259, 3 + 0x63])
        #expect(tokenizer.decode([264, 259, 3 + 0x63]) == " ab c")
    }

    @Test func vocabularyKeepsCanonicallyEquivalentTexts() throws {
        let json = #"""
            {"a": [1, "}"], "model": {"x": {"y": "]"}, "vocab": {"\u00e9": 0, "e\u0301": 1, "\ud83d\ude00": 2, "\"\\/": 3}}}
            """#
        let entries = try #require(try HuggingFaceVocabularyScanner.vocabulary(in: Data(json.utf8)))
        #expect(entries.map { Array($0.text.unicodeScalars) } == [["\u{E9}"], ["e", "\u{301}"], ["\u{1F600}"], ["\"", "\\", "/"]])
        #expect(entries.map(\.id) == [0, 1, 2, 3])
    }

    // MARK: Errors

    @Test func notJSON() {
        guard case .invalidTokenizerJSON(file: "tokenizer.json", _) = loadError(Data("not json".utf8)) else {
            Issue.record("expected invalidTokenizerJSON")
            return
        }
    }

    @Test func unknownModelType() {
        guard case .unsupportedTokenizerJSON(key: "model.type", value: "WordPiece") = loadError(Self.tinyJSON(modelType: "WordPiece")) else {
            Issue.record("expected unsupportedTokenizerJSON")
            return
        }
    }

    @Test func unknownRegex() {
        let error = loadError(Self.tinyJSON(preTokenizer: Self.preTokenizer(regex: #"\p{L}+|\s+"#)))
        guard case .unsupportedSplitRegex(#"\p{L}+|\s+"#) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.description.contains(#"\p{L}+|\s+"#) == true)
    }

    @Test func mergeNamingUnknownToken() {
        let error = loadError(Self.tinyJSON(merges: #"["a b", "ab zz"]"#))
        guard case .unknownMergeToken("zz", merge: "ab zz", index: 1) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func idWithoutToken() {
        let added = #"[{"id": 300, "content": "<x>", "special": true}]"#
        guard case .invalidTokenizerJSON(file: "tokenizer.json", _) = loadError(Self.tinyJSON(addedTokens: added)) else {
            Issue.record("expected invalidTokenizerJSON")
            return
        }
    }

    @Test func missingDirectory() {
        do {
            _ = try Tokenizer(huggingFace: URL(fileURLWithPath: "/nonexistent-kinglet-model"))
            Issue.record("expected an error")
        } catch {
            guard case .invalidTokenizerJSON = error else { Issue.record("got \(error)"); return }
        }
    }
}
