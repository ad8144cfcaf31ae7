// Pins encode() to the shared conformance ids for Qwen2.5 and Qwen3 (Hugging Face tokenizers) and Gemma 3 (sentencepiece), special on and off.
import Foundation
import Testing
import Tokenizers

struct TokenizerConformanceTests {
    @Test func qwen2() throws {
        try Fixtures.checkConformance("qwen2", Fixtures.qwen.get())
    }

    @Test func qwen3() throws {
        try Fixtures.checkConformance("qwen3", Fixtures.qwen3.get())
    }

    @Test func gemma3() throws {
        try Fixtures.checkConformance("gemma3", Fixtures.gemma.get(), bos: 2)
    }

    @Test func gemmaAddsBOSByDefault() throws {
        let tokenizer = try Fixtures.gemma.get()
        #expect(tokenizer.addsBOS && !tokenizer.addsEOS)
        #expect(tokenizer.encode("Hello world") == [2, 9259, 1902])
        #expect(tokenizer.encode("Hello world", addBOS: false) == [9259, 1902])
    }

    @Test func qwenDoesNotAddBOSByDefault() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(!tokenizer.addsBOS)
        #expect(tokenizer.encode("Hello world") == [9707, 1879])
        #expect(tokenizer.encode("Hello world", addBOS: true) == [151643, 9707, 1879])
    }
}
