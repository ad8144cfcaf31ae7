// Compares every pre-tokenizer with Hugging Face `tokenizers` run live on random text
// (scripts/pretokenizer-reference.py builds each from llama.cpp's regex list).
import Foundation
import Testing
@testable import Tokenizers
import TestSupport

struct PreTokenizerReferenceTests {
    /// The pre-tokenizers the script knows, by GGUF name: the single-regex ones too.
    static let names = ["qwen2", "llama-bpe", "qwen35", "gpt-2", "deepseek-llm", "deepseek-coder", "deepseek-v3", "smollm", "default"]

    /// Fragments the texts are built from: words, digits, punctuation, every kind of whitespace
    /// the regexes treat apart, contractions, and the scripts and ranges DeepSeek lists by hand.
    static let fragments: [String] = [
        "the", "Hello", "world", "don't", "WE'LL", "it's", "'re", "'VE", "'m", "'d", "x", "AbC", "\u{17F}",
        "0", "7", "42", "12345", "3.14", "1,000", "\u{663}\u{664}", "\u{BD}", "\u{2167}", "\u{FF13}",
        "!", "?", ".", ",", ";", ":", "(", ")", "[", "]", "{", "}", "<", ">", "=", "+", "-", "_", "*", "/",
        "\\", "|", "^", "~", "`", "@", "#", "$", "%", "&", "\"", "'", "...", "->", "==", "&&", "//",
        "\u{2018}", "\u{201C}", "\u{201D}", "\u{2014}", "\u{2026}", "\u{3001}", "\u{3002}", "\u{300C}",
        "\u{FF01}", "\u{FF1F}", "\u{FF08}", "\u{FF5E}", "\u{A7}", "\u{B6}", "\u{20AC}", "\u{A9}",
        " ", " ", " ", "  ", "   ", "\t", "\n", "\n", "\r\n", "\r", "\u{B}", "\u{C}", "\u{85}", "\u{A0}",
        "\u{3000}", "\u{2028}", "\u{2003}", " \n", "\n\n",
        "\u{4E2D}\u{6587}", "\u{5B57}", "\u{9FA5}", "\u{9FA6}", "\u{3042}\u{3044}", "\u{30AB}\u{30BF}",
        "\u{D55C}\u{AD6D}\u{C5B4}", "\u{E01}\u{E32}", "\u{915}\u{93F}", "\u{5D0}\u{5D1}",
        "\u{1F600}", "\u{1F44D}\u{1F3FD}", "\u{2764}\u{FE0F}", "\u{1F468}\u{200D}\u{1F4BB}",
        "e\u{301}", "\u{301}", "\u{308}", "a\u{323}\u{302}", "\u{20DD}",
        "\u{3B1}\u{3B2}\u{3B3}", "\u{414}\u{430}", "\u{1F7D}", "\u{1FBE}", "\u{1FD3}", "\u{2126}", "\u{212A}",
        "\u{B5}", "\u{C9}t\u{E9}", "\u{1BB}", "\u{2C6}", "\u{FB01}", "\u{FF21}\u{FF42}", "\u{10400}",
        "\u{1E900}", "\u{13A0}", "\u{200B}", "\u{FEFF}", "\u{1C}",
    ]

    /// Texts of `fragments`, and one in four with random scalars of the whole range mixed in
    /// (so every general category meets the hand-written classes): scalars assigned by
    /// Unicode 15.0, as Oniguruma's tables are older than Swift's (a letter added later is
    /// unassigned, so "other", for Hugging Face).
    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { number in
            let length = Int.random(in: 0...24, using: &generator)
            return (0..<length).map { _ in
                if number % 4 == 3 && Bool.random(using: &generator) {
                    let limit: UInt32 = Bool.random(using: &generator) ? 0x3100 : 0x2FFFF
                    while true {
                        if let scalar = Unicode.Scalar(UInt32.random(in: 0x9...limit, using: &generator)),
                           let age = scalar.properties.age, age <= (15, 0),
                           scalar.properties.generalCategory != .privateUse {
                            return String(scalar)
                        }
                    }
                }
                return fragments.randomElement(using: &generator)!
            }.joined()
        }
    }

    static var python: String { ReferencePython.path }

    static var script: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/pretokenizer-reference.py")
    }

    /// The reference pieces of each text per pre-tokenizer name.
    static func reference(_ texts: [String]) throws -> [String: [[String]]] {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Fixtures.Missing(description: "python \(python) is missing: run scripts/python-env")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let payload = try JSONEncoder().encode(texts)
        // Write on another thread so a full output pipe cannot stall the writer.
        let writer = Thread {
            input.fileHandleForWriting.write(payload)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Fixtures.Missing(description: "\(script.path) failed (run scripts/python-env to install `tokenizers`): \(errorText)")
        }
        return try JSONDecoder().decode([String: [[String]]].self, from: data)
    }

    @Test func matchesHuggingFaceOnRandomText() throws {
        let texts = Self.randomTexts(count: 4000, seed: 0x4B49_4E47)
        let reference = try Self.reference(texts)
        for name in Self.names {
            let preTokenizer = try PreTokenizer(ggufName: name)
            let expected = try #require(reference[name], "reference has no \(name)")
            try #require(expected.count == texts.count)
            var mismatches = 0
            for (text, pieces) in zip(texts, expected) {
                let got = PreTokenizerTests.pieces(text, preTokenizer)
                if got != pieces.map({ Array($0.utf8) }) {
                    mismatches += 1
                    if mismatches <= 5 {
                        Issue.record("\(name) \(text.debugDescription): got \(got.map { String(decoding: $0, as: UTF8.self).debugDescription }), HF \(pieces.map(\.debugDescription))")
                    }
                }
            }
            #expect(mismatches == 0, "\(name): \(mismatches) of \(texts.count) texts split differently")
        }
    }
}
