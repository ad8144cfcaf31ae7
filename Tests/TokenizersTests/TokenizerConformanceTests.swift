// Pins encode() to the shared conformance ids (Hugging Face tokenizers) for Qwen2.5 and Qwen3, special on and off.
import Foundation
import Testing
import Tokenizers

struct TokenizerConformanceTests {
    private func check(_ name: String, _ tokenizer: Result<Tokenizer, any Error>) throws {
        let tokenizer = try tokenizer.get()
        let records = try Fixtures.expected(name)
        var failures: [String] = []
        for record in records {
            let ids = tokenizer.encode(record.text, addBOS: false, parseSpecial: record.special)
            if ids != record.ids {
                failures.append("\(record.case) special=\(record.special): expected \(record.ids), got \(ids)")
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

    @Test func qwenDoesNotAddBOSByDefault() throws {
        let tokenizer = try Fixtures.qwen.get()
        #expect(!tokenizer.addsBOS)
        #expect(tokenizer.encode("Hello world") == [9707, 1879])
        #expect(tokenizer.encode("Hello world", addBOS: true) == [151643, 9707, 1879])
    }
}
