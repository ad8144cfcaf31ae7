// Pins each pre-tokenizer's hand-compiled regex to Hugging Face's Oniguruma Split output on tricky text.
import Testing
@testable import Tokenizers

struct PreTokenizerTests {
    /// The pieces `preTokenizer` cuts `text` into, as UTF-8 bytes (no canonical-equivalence blur).
    static func pieces(_ text: String, _ preTokenizer: PreTokenizer) -> [[UInt8]] {
        var text = text
        return text.withUTF8 { utf8 in
            var scalars = ScalarBuffer()
            scalars.load(utf8)
            var pieces: [[UInt8]] = []
            preTokenizer.split(scalars) { range in
                pieces.append(Array(utf8[scalars.offsets[range.lowerBound]..<scalars.offsets[range.upperBound]]))
            }
            return pieces
        }
    }

    private func check(_ cases: [(String, [String])], _ preTokenizer: PreTokenizer) {
        for (text, expected) in cases {
            let got = Self.pieces(text, preTokenizer)
            #expect(got == expected.map { Array($0.utf8) },
                    "\(preTokenizer) \(text.debugDescription): got \(got.map { String(decoding: $0, as: UTF8.self).debugDescription })")
        }
    }

    @Test func qwen2() { check(Reference.qwen2, .qwen2) }
    @Test func llama3() { check(Reference.llama3, .llama3) }
    @Test func qwen35() { check(Reference.qwen35, .qwen35) }
    @Test func gpt2() { check(Reference.gpt2, .gpt2) }

    @Test func ggufNames() throws {
        #expect(try PreTokenizer(ggufName: "qwen2") == .qwen2)
        #expect(try PreTokenizer(ggufName: "llama-bpe") == .llama3)
        #expect(try PreTokenizer(ggufName: "gpt-2") == .gpt2)
        #expect(try PreTokenizer(ggufName: "qwen35") == .qwen35)
        #expect(try PreTokenizer(ggufName: "deepseek-llm") == .deepSeekLLM)
        #expect(try PreTokenizer(ggufName: "deepseek-coder") == .deepSeekCoder)
        #expect(try PreTokenizer(ggufName: "deepseek-v3") == .deepSeekV3)
        #expect(try PreTokenizer(ggufName: "smollm") == .smolLM)
        #expect(try PreTokenizer(ggufName: "default") == .llamaDefault)
        #expect(throws: TokenizerError.self) { try PreTokenizer(ggufName: "deepseek-r1") }
        #expect(throws: TokenizerError.self) { try PreTokenizer(ggufName: "Qwen2") }
    }

    @Test func whitespaceClassIsUnicodeWhiteSpace() {
        for value: UInt32 in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000] {
            #expect(ScalarClass.of(value).contains(.whitespace), "U+\(String(value, radix: 16))")
        }
        for value: UInt32 in [0x1C, 0x1D, 0x1E, 0x1F, 0x180E, 0x200B, 0xFEFF] {
            #expect(!ScalarClass.of(value).contains(.whitespace), "U+\(String(value, radix: 16))")
        }
    }
}

/// Expected splits, produced with Hugging Face `tokenizers` 0.23 (`pre_tokenizers.Split(Regex(…), "isolated")`)
/// from each model's regex.
private enum Reference {
    static let qwen2: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("  leading", [" ", " leading"]),
        ("trailing  ", ["trailing", "  "]),
        ("a  b\n\n  c", ["a", " ", " b", "\n\n", " ", " c"]),
        ("x\r\n\r\ny", ["x", "\r\n\r\n", "y"]),
        (" \t\n \tz", [" \t\n", " ", "\tz"]),
        ("It'S dOn'T we'VE i'M he'\u{17F}", ["It", "'S", " dOn", "'T", " we", "'VE", " i", "'M", " he", "'\u{17F}"]),
        ("'tis 'twas", ["'t", "is", " '", "twas"]),
        ("don't't", ["don", "'t", "'t"]),
        ("12345 678", ["1", "2", "3", "4", "5", " ", "6", "7", "8"]),
        ("\u{B}vertical\u{85}next", ["\u{B}vertical", "\u{85}next"]),
        ("ideo\u{3000}space", ["ideo", "\u{3000}space"]),
        ("(word) [x]", ["(word", ")", " [", "x", "]"]),
        ("  ...!?\n\nok", [" ", " ...!?\n\n", "ok"]),
        ("e\u{301}!I", ["e", "\u{301}!", "I"]),
        ("caf\u{E9} na\u{308}ive", ["caf\u{E9}", " na", "\u{308}ive"]),
        ("\u{4E2D}\u{6587}\u{5B57}\u{7B26} \u{30C6}\u{30B9}\u{30C8}", ["\u{4E2D}\u{6587}\u{5B57}\u{7B26}", " \u{30C6}\u{30B9}\u{30C8}"]),
        ("\u{1F44D}\u{1F3FD} emoji!", ["\u{1F44D}\u{1F3FD}", " emoji", "!"]),
        ("a\u{A0}b", ["a", "\u{A0}b"]),
        ("tab\t\tx", ["tab", "\t", "\tx"]),
        ("end \n", ["end", " \n"]),
        ("$100.00", ["$", "1", "0", "0", ".", "0", "0"]),
        ("\u{FEFF}bom", ["\u{FEFF}bom"]),
        ("x = y + 1;\n    return x", ["x", " =", " y", " +", " ", "1", ";\n", "   ", " return", " x"]),
        ("\u{FB01} ligature", ["\u{FB01}", " ligature"]),
        ("\u{2167}\u{BD}\u{663}", ["\u{2167}", "\u{BD}", "\u{663}"]),
    ]
    static let llama3: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("  leading", [" ", " leading"]),
        ("trailing  ", ["trailing", "  "]),
        ("a  b\n\n  c", ["a", " ", " b", "\n\n", " ", " c"]),
        ("x\r\n\r\ny", ["x", "\r\n\r\n", "y"]),
        (" \t\n \tz", [" \t\n", " ", "\tz"]),
        ("It'S dOn'T we'VE i'M he'\u{17F}", ["It", "'S", " dOn", "'T", " we", "'VE", " i", "'M", " he", "'\u{17F}"]),
        ("'tis 'twas", ["'t", "is", " '", "twas"]),
        ("don't't", ["don", "'t", "'t"]),
        ("12345 678", ["123", "45", " ", "678"]),
        ("\u{B}vertical\u{85}next", ["\u{B}vertical", "\u{85}next"]),
        ("ideo\u{3000}space", ["ideo", "\u{3000}space"]),
        ("(word) [x]", ["(word", ")", " [", "x", "]"]),
        ("  ...!?\n\nok", [" ", " ...!?\n\n", "ok"]),
        ("e\u{301}!I", ["e", "\u{301}!", "I"]),
        ("caf\u{E9} na\u{308}ive", ["caf\u{E9}", " na", "\u{308}ive"]),
        ("\u{4E2D}\u{6587}\u{5B57}\u{7B26} \u{30C6}\u{30B9}\u{30C8}", ["\u{4E2D}\u{6587}\u{5B57}\u{7B26}", " \u{30C6}\u{30B9}\u{30C8}"]),
        ("\u{1F44D}\u{1F3FD} emoji!", ["\u{1F44D}\u{1F3FD}", " emoji", "!"]),
        ("a\u{A0}b", ["a", "\u{A0}b"]),
        ("tab\t\tx", ["tab", "\t", "\tx"]),
        ("end \n", ["end", " \n"]),
        ("$100.00", ["$", "100", ".", "00"]),
        ("\u{FEFF}bom", ["\u{FEFF}bom"]),
        ("x = y + 1;\n    return x", ["x", " =", " y", " +", " ", "1", ";\n", "   ", " return", " x"]),
        ("\u{FB01} ligature", ["\u{FB01}", " ligature"]),
        ("\u{2167}\u{BD}\u{663}", ["\u{2167}\u{BD}\u{663}"]),
    ]
    static let qwen35: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("  leading", [" ", " leading"]),
        ("trailing  ", ["trailing", "  "]),
        ("a  b\n\n  c", ["a", " ", " b", "\n\n", " ", " c"]),
        ("x\r\n\r\ny", ["x", "\r\n\r\n", "y"]),
        (" \t\n \tz", [" \t\n", " ", "\tz"]),
        ("It'S dOn'T we'VE i'M he'\u{17F}", ["It", "'S", " dOn", "'T", " we", "'VE", " i", "'M", " he", "'\u{17F}"]),
        ("'tis 'twas", ["'t", "is", " '", "twas"]),
        ("don't't", ["don", "'t", "'t"]),
        ("12345 678", ["1", "2", "3", "4", "5", " ", "6", "7", "8"]),
        ("\u{B}vertical\u{85}next", ["\u{B}vertical", "\u{85}next"]),
        ("ideo\u{3000}space", ["ideo", "\u{3000}space"]),
        ("(word) [x]", ["(word", ")", " [", "x", "]"]),
        ("  ...!?\n\nok", [" ", " ...!?\n\n", "ok"]),
        ("e\u{301}!I", ["e\u{301}", "!I"]),
        ("caf\u{E9} na\u{308}ive", ["caf\u{E9}", " na\u{308}ive"]),
        ("\u{4E2D}\u{6587}\u{5B57}\u{7B26} \u{30C6}\u{30B9}\u{30C8}", ["\u{4E2D}\u{6587}\u{5B57}\u{7B26}", " \u{30C6}\u{30B9}\u{30C8}"]),
        ("\u{1F44D}\u{1F3FD} emoji!", ["\u{1F44D}\u{1F3FD}", " emoji", "!"]),
        ("a\u{A0}b", ["a", "\u{A0}b"]),
        ("tab\t\tx", ["tab", "\t", "\tx"]),
        ("end \n", ["end", " \n"]),
        ("$100.00", ["$", "1", "0", "0", ".", "0", "0"]),
        ("\u{FEFF}bom", ["\u{FEFF}bom"]),
        ("x = y + 1;\n    return x", ["x", " =", " y", " +", " ", "1", ";\n", "   ", " return", " x"]),
        ("\u{FB01} ligature", ["\u{FB01}", " ligature"]),
        ("\u{2167}\u{BD}\u{663}", ["\u{2167}", "\u{BD}", "\u{663}"]),
    ]
    static let gpt2: [(String, [String])] = [
        ("Hello world", ["Hello", " world"]),
        ("  leading", [" ", " leading"]),
        ("trailing  ", ["trailing", "  "]),
        ("a  b\n\n  c", ["a", " ", " b", "\n\n ", " c"]),
        ("x\r\n\r\ny", ["x", "\r\n\r", "\n", "y"]),
        (" \t\n \tz", [" \t\n ", "\t", "z"]),
        ("It'S dOn'T we'VE i'M he'\u{17F}", ["It", "'", "S", " dOn", "'", "T", " we", "'", "VE", " i", "'", "M", " he", "'", "\u{17F}"]),
        ("'tis 'twas", ["'t", "is", " '", "twas"]),
        ("don't't", ["don", "'t", "'t"]),
        ("12345 678", ["12345", " 678"]),
        ("\u{B}vertical\u{85}next", ["\u{B}", "vertical", "\u{85}", "next"]),
        ("ideo\u{3000}space", ["ideo", "\u{3000}", "space"]),
        ("(word) [x]", ["(", "word", ")", " [", "x", "]"]),
        ("  ...!?\n\nok", [" ", " ...!?", "\n", "\n", "ok"]),
        ("e\u{301}!I", ["e", "\u{301}!", "I"]),
        ("caf\u{E9} na\u{308}ive", ["caf\u{E9}", " na", "\u{308}", "ive"]),
        ("\u{4E2D}\u{6587}\u{5B57}\u{7B26} \u{30C6}\u{30B9}\u{30C8}", ["\u{4E2D}\u{6587}\u{5B57}\u{7B26}", " \u{30C6}\u{30B9}\u{30C8}"]),
        ("\u{1F44D}\u{1F3FD} emoji!", ["\u{1F44D}\u{1F3FD}", " emoji", "!"]),
        ("a\u{A0}b", ["a", "\u{A0}", "b"]),
        ("tab\t\tx", ["tab", "\t", "\t", "x"]),
        ("end \n", ["end", " \n"]),
        ("$100.00", ["$", "100", ".", "00"]),
        ("\u{FEFF}bom", ["\u{FEFF}", "bom"]),
        ("x = y + 1;\n    return x", ["x", " =", " y", " +", " 1", ";", "\n   ", " return", " x"]),
        ("\u{FB01} ligature", ["\u{FB01}", " ligature"]),
        ("\u{2167}\u{BD}\u{663}", ["\u{2167}\u{BD}\u{663}"]),
    ]
}
