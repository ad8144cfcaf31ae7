// Pins the end-of-generation set (llama.cpp's text rules) and the special-token flags read from GGUF.
import GGUF
import Testing
import Tokenizers

struct EndOfGenerationTests {
    @Test func qwenEndOfGenerationMatchesLlamaCpp() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(tokenizer.eosToken == 151645)     // <|im_end|>
        #expect(tokenizer.bosToken == 151643)     // <|endoftext|>
        // eos, <|endoftext|>, the FIM pad/repo/file-separator tokens, and the "</s>" piece
        #expect(tokenizer.endOfGenerationTokens == [151645, 151643, 151662, 151663, 151664, 128247])
        #expect(tokenizer.token(for: "</s>") == 128247)
        #expect(tokenizer.isControl(151645))
        #expect(!tokenizer.isControl(128247))
        #expect(!tokenizer.isControl(151657))    // <tool_call> is user-defined
    }

    @Test func gemmaEndOfGenerationMatchesLlamaCpp() throws {
        let tokenizer = try Fixtures.gemma.get()
        #expect(tokenizer.bosToken == 2)        // <bos>
        #expect(tokenizer.eosToken == 1)        // <eos>
        #expect(tokenizer.paddingToken == 0)    // <pad>
        #expect(tokenizer.eotToken == nil)
        // <eos>, <end_of_turn>, and the user-defined "</s>" piece (llama.cpp matches its text too)
        #expect(tokenizer.endOfGenerationTokens == [1, 106, 212])
        #expect(tokenizer.isControl(106))
        #expect(tokenizer.kind(of: 212) == .userDefined)
    }

    @Test func endTokenIsDroppedWhenReturnAndCallExist() throws {
        let extra = ["<|end|>", "<|return|>", "<|call|>", "<|im_end|>"]
        let metadata = TinyGGUF.bpe(extra: extra, types: [3, 3, 3, 3], merges: [],
                                    more: [("tokenizer.ggml.eos_token_id", .uint32(257))])
        let tokenizer = try Tokenizer(gguf: metadata)
        #expect(tokenizer.endOfGenerationTokens == [257, 258, 259])
    }

    @Test func declaredIDsAreIncluded() throws {
        let metadata = TinyGGUF.bpe(extra: ["<stop>", "<turn>"], types: [3, 3], merges: [],
                                    more: [("tokenizer.ggml.eos_token_id", .uint32(256)),
                                           ("tokenizer.ggml.eot_token_id", .uint32(257))])
        let tokenizer = try Tokenizer(gguf: metadata)
        #expect(tokenizer.endOfGenerationTokens == [256, 257])
        #expect(tokenizer.eotToken == 257)
    }

    @Test func addBOSDefaultsFollowThePreTokenizer() throws {
        let bos: [(String, GGUFValue)] = [("tokenizer.ggml.bos_token_id", .uint32(256))]
        let qwen = try Tokenizer(gguf: TinyGGUF.bpe(extra: ["<s>"], types: [3], merges: [], more: bos))
        #expect(!qwen.addsBOS)
        let llama = try Tokenizer(gguf: TinyGGUF.bpe(pre: "llama-bpe", extra: ["<s>"], types: [3], merges: [], more: bos))
        #expect(llama.addsBOS)
        #expect(llama.encode("a") == [256, 97])
        #expect(llama.encode("a", addBOS: false) == [97])
        let explicit = try Tokenizer(gguf: TinyGGUF.bpe(pre: "llama-bpe", extra: ["<s>"], types: [3], merges: [],
                                                        more: bos + [("tokenizer.ggml.add_bos_token", .bool(false))]))
        #expect(!explicit.addsBOS)
    }
}
