// Pins the typed errors for missing, malformed or unsupported tokenizer metadata (byte-level and SentencePiece), and that each reads as one line.
import GGUF
import Testing
import Tokenizers

struct TokenizerErrorTests {
    private func loadError(_ metadata: GGUFMetadata, addedTokens: [AddedToken] = []) -> TokenizerError? {
        do {
            _ = try Tokenizer(gguf: metadata, addedTokens: addedTokens)
            return nil
        } catch {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
            return error
        }
    }

    private let valid = TinyGGUF.bpe(extra: ["ab"], merges: ["a b"])

    @Test func validTinyVocabularyLoads() throws {
        let tokenizer = try Tokenizer(gguf: valid)
        #expect(tokenizer.vocabularySize == 257)
        #expect(tokenizer.encode("abc") == [256, 99])
    }

    @Test func missingTokens() {
        let error = loadError(TinyGGUF.removing("tokenizer.ggml.tokens", from: valid))
        guard case .missingKey("tokenizer.ggml.tokens") = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func missingMerges() {
        let error = loadError(TinyGGUF.removing("tokenizer.ggml.merges", from: valid))
        guard case .missingKey("tokenizer.ggml.merges") = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func missingPreTokenizerIsNotGuessed() {
        let error = loadError(TinyGGUF.removing("tokenizer.ggml.pre", from: valid))
        guard case .missingKey("tokenizer.ggml.pre") = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func unknownPreTokenizer() {
        let error = loadError(TinyGGUF.bpe(pre: "mystery-bpe", merges: []))
        guard case .unsupportedPreTokenizer("mystery-bpe", let supported) = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
        #expect(supported.contains("qwen2"))
        #expect(error?.description.contains("mystery-bpe") == true)
    }

    @Test func unknownModel() {
        var metadata = valid
        metadata.set("tokenizer.ggml.model", .string("bert"))
        guard case .unsupportedModel("bert", let supported) = loadError(metadata) else { Issue.record("expected unsupportedModel"); return }
        #expect(supported == ["gpt2", "llama"])
    }

    // MARK: SentencePiece (`llama`)

    private let validSentencePiece = TinyGGUF.sentencePiece([("a", -1)])

    @Test func validSentencePieceLoads() throws {
        let tokenizer = try Tokenizer(gguf: validSentencePiece)
        #expect(tokenizer.vocabularySize == 3 + 1 + 256)
        #expect(tokenizer.encode("a") == [1, 3])
    }

    @Test func sentencePieceMissingScores() {
        let error = loadError(TinyGGUF.removing("tokenizer.ggml.scores", from: validSentencePiece))
        guard case .missingKey("tokenizer.ggml.scores") = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func sentencePieceScoresCountMismatch() {
        var metadata = validSentencePiece
        metadata.set("tokenizer.ggml.scores", .array(.float32s([0, 0, 0])))
        guard case .countMismatch(key: "tokenizer.ggml.scores", count: 3, expected: 260) = loadError(metadata) else {
            Issue.record("expected countMismatch")
            return
        }
    }

    @Test func sentencePieceScoresOfWrongType() {
        var metadata = validSentencePiece
        metadata.set("tokenizer.ggml.scores", .array(.strings(["x"])))
        guard case .invalidMetadata(key: "tokenizer.ggml.scores", _) = loadError(metadata) else { Issue.record("expected invalidMetadata"); return }
    }

    @Test func sentencePiecePartialByteTokens() {
        var metadata = validSentencePiece
        var types = [Int32](repeating: 6, count: 260)
        types[0] = 2; types[1] = 3; types[2] = 3; types[3] = 1
        types[4 + 0x41] = 1   // <0x41> demoted to a normal piece
        metadata.set("tokenizer.ggml.token_type", .array(.int32s(types)))
        guard case .missingByteToken(0x41) = loadError(metadata) else { Issue.record("expected missingByteToken"); return }
    }

    @Test func sentencePieceWithoutBytesNeedsUnknownToken() {
        let metadata = TinyGGUF.removing("tokenizer.ggml.unknown_token_id", from: TinyGGUF.sentencePiece([("a", -1)], bytes: false))
        guard case .missingKey("tokenizer.ggml.unknown_token_id") = loadError(metadata) else { Issue.record("expected missingKey"); return }
    }

    @Test func sentencePieceUnknownTokenOutOfRange() {
        var metadata = validSentencePiece
        metadata.set("tokenizer.ggml.unknown_token_id", .uint32(5000))
        guard case .tokenIDOutOfRange(key: "tokenizer.ggml.unknown_token_id", id: 5000, vocabularySize: 260) = loadError(metadata) else {
            Issue.record("expected tokenIDOutOfRange")
            return
        }
    }

    @Test func sentencePieceDuplicatePiece() {
        let error = loadError(TinyGGUF.sentencePiece([("a", -1), ("a", -2)]))
        guard case .duplicateToken("a", first: 3, second: 4) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func mergeNamingUnknownToken() {
        let error = loadError(TinyGGUF.bpe(extra: ["ab"], merges: ["a b", "zz q"]))
        guard case .unknownMergeToken("zz", merge: "zz q", index: 1) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func mergeProducingUnknownToken() {
        let error = loadError(TinyGGUF.bpe(merges: ["a b"]))
        guard case .unknownMergeToken("ab", merge: "a b", index: 0) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func malformedMerge() {
        let error = loadError(TinyGGUF.bpe(extra: ["ab"], merges: ["ab"]))
        guard case .malformedMerge("ab", index: 0) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func tokensOfWrongType() {
        var metadata = valid
        metadata.set("tokenizer.ggml.tokens", .array(.int32s([1, 2])))
        guard case .invalidMetadata(key: "tokenizer.ggml.tokens", _) = loadError(metadata) else { Issue.record("expected invalidMetadata"); return }
    }

    @Test func tokenTypeCountMismatch() {
        var metadata = valid
        metadata.set("tokenizer.ggml.token_type", .array(.int32s([1, 1, 1])))
        guard case .countMismatch(key: "tokenizer.ggml.token_type", count: 3, expected: 257) = loadError(metadata) else {
            Issue.record("expected countMismatch")
            return
        }
    }

    @Test func duplicateToken() {
        let error = loadError(TinyGGUF.bpe(extra: ["a"], merges: []))
        guard case .duplicateToken("a", first: 97, second: 256) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func missingByteToken() {
        var metadata = valid
        var tokens = TinyGGUF.byteTokens
        tokens[0x41] = "not-a-byte"   // "A"
        metadata.set("tokenizer.ggml.tokens", .array(.strings(tokens)))
        metadata.set("tokenizer.ggml.token_type", .array(.int32s([Int32](repeating: 1, count: 256))))
        metadata.set("tokenizer.ggml.merges", .array(.strings([])))
        guard case .missingByteToken(0x41) = loadError(metadata) else { Issue.record("expected missingByteToken"); return }
    }

    @Test func specialTokenIDOutOfRange() {
        var metadata = valid
        metadata.set("tokenizer.ggml.eos_token_id", .uint32(999))
        guard case .tokenIDOutOfRange(key: "tokenizer.ggml.eos_token_id", id: 999, vocabularySize: 257) = loadError(metadata) else {
            Issue.record("expected tokenIDOutOfRange")
            return
        }
    }

    @Test func addBOSWithoutBOSToken() {
        var metadata = valid
        metadata.set("tokenizer.ggml.add_bos_token", .bool(true))
        guard case .missingSpecialToken(flag: "tokenizer.ggml.add_bos_token", _) = loadError(metadata) else {
            Issue.record("expected missingSpecialToken")
            return
        }
    }

    @Test func addedTokenOutOfRange() {
        let error = loadError(valid, addedTokens: [AddedToken(id: 257, text: "<x>", isSpecial: false)])
        guard case .addedTokenOutOfRange(text: "<x>", id: 257, vocabularySize: 257) = error else {
            Issue.record("got \(String(describing: error))")
            return
        }
    }
}
