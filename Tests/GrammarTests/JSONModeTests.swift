import Testing
@testable import Grammar
import TestSupport

@Suite struct JSONModeTests {
    static let valid = [
        "{}", #"{"a":1}"#, #"{"a": [1, -2.5, 3e10, 4.0E-2, 0, -0, 1e+5], "b": {"c": {"d": []}}}"#,
        #"{"s": "esc \" \\ \/ \b \f \n \r \t \u00e9 \uFFFD", "t": true, "f": false, "n": null}"#,
        #"{"unicode": "日本語 😀 é", "emoji😀key": "x"}"#, "{\n  \"a\": 1,\n  \"b\": [\n    true\n  ]\n}",
        #"{ "deep": [[[[{"x": [{}]}]]]] }"#, #"{"n": 1234567890123456}"#,
    ]
    static let invalid = [
        #"{"a": 1,}"#, "{'a': 1}", #"{"a": 01}"#, #"{"a": yes}"#, "{\"a\": \"line\nbreak\"}", #"{"a" 1}"#,
        #"[1, 2]"#, #""just a string""#, #"{"a": 1}}"#, #"{"a": 1.}"#, #"{"a": .5}"#, #"{"a": +1}"#,
        #"{"a": "\x"}"#, #"{"a": "\u12"}"#, #"{"a": [1 2]}"#, "{\"a\": 1}  ", #"{"a": NaN}"#,
    ]

    @Test func acceptsValidObjects() {
        for text in Self.valid { #expect(matches(Grammar.json, text), "\(text)") }
    }

    @Test func rejectsInvalidJSON() {
        for text in Self.invalid { #expect(!matches(Grammar.json, text), "\(text)") }
    }

    @Test func completeExactlyAtTheEnd() {
        for text in Self.valid {
            var matcher = GrammarMatcher(grammar: Grammar.json, vocabulary: tinyVocabulary)
            let bytes = Array(text.utf8)
            for (i, byte) in bytes.enumerated() {
                #expect(!matcher.isComplete, "complete early at \(i) in \(text)")
                let accepted = matcher.accept(bytes: [byte])
                #expect(accepted)
            }
            #expect(matcher.isComplete && matcher.isFinished, "\(text)")
        }
    }

    @Test func whitespaceIsBounded() {
        #expect(matches(Grammar.json, "{\n" + String(repeating: " ", count: 20) + "}"))
        #expect(!matches(Grammar.json, "{\n" + String(repeating: " ", count: 21) + "}"))
        #expect(!matches(Grammar.json, "{  }"))
    }

    /// Random sentences of JSON mode are JSON objects per Python's json module.
    @Test func randomSentencesAreJSON() throws {
        var rng = SplitMix64(seed: 1)
        var instances: [String] = []
        for _ in 0..<40 {
            let bytes = try #require(randomSentence(Grammar.json, rng: &rng))
            instances.append(try #require(String(validating: bytes, as: UTF8.self)))
        }
        let failures = try JSONSchemaReference.invalidInstances([(#"{"type": "object"}"#, instances)])
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
