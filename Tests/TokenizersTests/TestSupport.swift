// Shared fixtures: locating the real model and the conformance data, and tiny GGUF files.
import Foundation
import GGUF
import Testing
@testable import Tokenizers
import TestSupport

enum Fixtures {
    /// Every `expected-<name>.jsonl` record (366) encodes to its ids, with BOS first when `bos` is set;
    /// a failure lists every differing case.
    static func checkConformance(_ name: String, _ tokenizer: Tokenizer, bos: Int32? = nil) throws {
        let records = try expected(name)
        var failures: [String] = []
        for record in records {
            let ids = tokenizer.encode(record.text, addBOS: bos != nil, parseSpecial: record.special)
            let expected = (bos.map { [$0] } ?? []) + record.ids
            if ids != expected {
                failures.append("\(record.case) special=\(record.special): expected \(expected), got \(ids)")
            }
        }
        #expect(records.count == 366)
        #expect(failures.isEmpty, "\(failures.count)/\(records.count) \(name) cases differ:\n\(failures.joined(separator: "\n"))")
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static var kingletHome: URL { ReferencePython.kingletHome }

    /// `$KINGLET_CONFORMANCE`, else `shared/conformance` beside the repository.
    static var conformance: URL {
        if let dir = ProcessInfo.processInfo.environment["KINGLET_CONFORMANCE"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent()   // <repo>/Tests/TokenizersTests
            .deletingLastPathComponent()   // <repo>/Tests
            .deletingLastPathComponent()   // <repo>
            .deletingLastPathComponent()   // beside the repository
            .appendingPathComponent("shared/conformance")
    }

    static let qwenModelName = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    static let gemmaModelName = "gemma-3-270m-q4_k_m.gguf"

    /// The Qwen2.5 tokenizer, loaded once for all tests.
    static let qwen: Result<Tokenizer, any Error> = Result { try Tokenizer(gguf: qwenMetadata.get()) }

    static let qwenMetadata: Result<GGUFMetadata, any Error> = Result {
        try metadata(qwenModelName, fetch: "scripts/fetch-model")
    }

    /// The Gemma 3 (SentencePiece) tokenizer, loaded once for all tests.
    static let gemma: Result<Tokenizer, any Error> = Result {
        try Tokenizer(gguf: metadata(gemmaModelName, fetch: "scripts/fetch-model gemma3:270m"))
    }

    /// The metadata of `$KINGLET_HOME/models/<file>`; a missing file names the command that fetches it.
    private static func metadata(_ file: String, fetch: String) throws -> GGUFMetadata {
        let path = kingletHome.appendingPathComponent("models/\(file)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(description: "model file \(path) is missing: run \(fetch) to download it")
        }
        return try GGUFFile(contentsOf: path).metadata
    }

    /// Qwen3's added tokens on top of the Qwen2.5 vocabulary (conformance README).
    static let qwen3AddedTokens = [
        AddedToken(id: 151665, text: "<tool_response>", isSpecial: false),
        AddedToken(id: 151666, text: "</tool_response>", isSpecial: false),
        AddedToken(id: 151667, text: "<think>", isSpecial: false),
        AddedToken(id: 151668, text: "</think>", isSpecial: false),
    ]

    static let qwen3: Result<Tokenizer, any Error> = Result {
        try Tokenizer(gguf: qwenMetadata.get(), addedTokens: qwen3AddedTokens)
    }

    /// One line of `tokenizer/expected-<name>.jsonl`.
    struct Expected: Decodable {
        var `case`: String
        var text: String
        var special: Bool
        var ids: [Int32]
        var decoded_ok: Bool
    }

    static func expected(_ name: String) throws -> [Expected] {
        let url = conformance.appendingPathComponent("tokenizer/expected-\(name).jsonl")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "conformance file \(url.path) is missing (set KINGLET_CONFORMANCE)")
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).map { try decoder.decode(Expected.self, from: Data($0)) }
    }
}

extension Tokenizer {
    /// The byte-level BPE model of a `gpt2` tokenizer (tests only ask byte-level tokenizers).
    var model: BPEModel {
        guard case .byteLevel(let model, _) = algorithm else { fatalError("not a byte-level tokenizer") }
        return model
    }
}

/// Crafted tokenizer metadata, for loading tests.
enum TinyGGUF {
    /// The 256 byte-level single-byte tokens, in byte order.
    static var byteTokens: [String] {
        (0..<256).map { String(Unicode.Scalar(ByteLevel.scalarForByte[$0])!) }
    }

    /// A byte-level BPE vocabulary: the 256 bytes, then `extra` tokens (of `types`, default
    /// normal), with the merges given.
    static func bpe(pre: String = "qwen2", extra: [String] = [], types extraTypes: [Int32]? = nil,
                    merges: [String], more: [(String, GGUFValue)] = []) -> GGUFMetadata {
        let tokens = byteTokens + extra
        let types = [Int32](repeating: 1, count: 256) + (extraTypes ?? [Int32](repeating: 1, count: extra.count))
        var metadata = GGUFMetadata()
        metadata.set("tokenizer.ggml.model", .string("gpt2"))
        metadata.set("tokenizer.ggml.pre", .string(pre))
        metadata.set("tokenizer.ggml.tokens", .array(.strings(tokens)))
        metadata.set("tokenizer.ggml.token_type", .array(.int32s(types)))
        metadata.set("tokenizer.ggml.merges", .array(.strings(merges)))
        for (key, value) in more { metadata.set(key, value) }
        return metadata
    }

    /// `metadata` without `key`.
    static func removing(_ key: String, from metadata: GGUFMetadata) -> GGUFMetadata {
        var copy = GGUFMetadata()
        for other in metadata.keys where other != key {
            if let value = metadata[other] { copy.set(other, value) }
        }
        return copy
    }

    /// A SentencePiece vocabulary (`llama`): `<unk>`, `<s>`, `</s>`, then `pieces` with their
    /// scores and types (default normal), then the 256 `<0xAB>` byte tokens unless `bytes` is false.
    static func sentencePiece(_ pieces: [(String, Float)], types extraTypes: [Int32]? = nil, bytes: Bool = true,
                              more: [(String, GGUFValue)] = []) -> GGUFMetadata {
        let byteTexts = bytes ? (0..<256).map { "<0x" + ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) + ">" } : []
        let tokens = ["<unk>", "<s>", "</s>"] + pieces.map(\.0) + byteTexts
        let scores = [Float](repeating: 0, count: 3) + pieces.map(\.1) + [Float](repeating: 0, count: byteTexts.count)
        let types = [2, 3, 3] + (extraTypes ?? [Int32](repeating: 1, count: pieces.count))
            + [Int32](repeating: 6, count: byteTexts.count)
        var metadata = GGUFMetadata()
        metadata.set("tokenizer.ggml.model", .string("llama"))
        metadata.set("tokenizer.ggml.pre", .string("default"))
        metadata.set("tokenizer.ggml.tokens", .array(.strings(tokens)))
        metadata.set("tokenizer.ggml.scores", .array(.float32s(scores)))
        metadata.set("tokenizer.ggml.token_type", .array(.int32s(types)))
        metadata.set("tokenizer.ggml.unknown_token_id", .uint32(0))
        metadata.set("tokenizer.ggml.bos_token_id", .uint32(1))
        metadata.set("tokenizer.ggml.eos_token_id", .uint32(2))
        metadata.set("tokenizer.ggml.add_space_prefix", .bool(false))
        for (key, value) in more { metadata.set(key, value) }
        return metadata
    }
}
