// Pins encode() to the shared conformance ids for Qwen2.5 and Qwen3 (Hugging Face tokenizers) and Gemma 3 (sentencepiece), special on and off.
import Foundation
import Testing
import Tokenizers

struct TokenizerConformanceTests {
    /// - Parameter bos: when set, encode with BOS and expect it before the recorded ids.
    private func check(_ name: String, _ tokenizer: Result<Tokenizer, any Error>, bos: Int32? = nil) throws {
        let tokenizer = try tokenizer.get()
        let records = try Fixtures.expected(name)
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

    @Test func qwen2() throws {
        try check("qwen2", Fixtures.qwen)
    }

    @Test func qwen3() throws {
        try check("qwen3", Fixtures.qwen3)
    }

    @Test func gemma3() throws {
        try check("gemma3", Fixtures.gemma, bos: 2)
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
