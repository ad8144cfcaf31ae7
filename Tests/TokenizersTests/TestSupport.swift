// Shared fixtures: locating the real model and the conformance data, and tiny GGUF files.
import Foundation
import GGUF
import Testing
@testable import Tokenizers

enum Fixtures {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// `$KINGLET_HOME` (default `~/.cache/kinglet`).
    static var kingletHome: URL {
        if let home = ProcessInfo.processInfo.environment["KINGLET_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet")
    }

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

    /// The Qwen2.5 tokenizer, loaded once for all tests.
    static let qwen: Result<Tokenizer, any Error> = Result { try Tokenizer(gguf: qwenMetadata.get()) }

    static let qwenMetadata: Result<GGUFMetadata, any Error> = Result {
        let path = kingletHome.appendingPathComponent("models/\(qwenModelName)").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(description: "model file \(path) is missing: run scripts/fetch-model to download it")
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
}
