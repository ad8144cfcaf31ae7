import Testing
@testable import Grammar
import TestSupport

@Suite struct GrammarMatcherTests {
    @Test func multiByteCharactersSplitAcrossTokens() throws {
        let grammar = try Grammar(gbnf: #"root ::= [α-ω]+ "!" | "😀" [^a-z]"#)
        let emoji = Array("😀".utf8), omega = Array("ω".utf8)
        let tokens: [[UInt8]] = [Array(emoji[..<1]), Array(emoji[1..<3]), Array(emoji[3...]), [omega[0]], [omega[1]], Array("!".utf8),
                                 Array("é".utf8), Array("a".utf8)]
        let vocabulary = GrammarVocabulary(tokens: tokens, excluded: [], endOfGeneration: [])
        var matcher = GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
        for token: Int32 in [0, 1, 2] { try matcher.accept(token) }
        #expect(!matcher.allows(7))            // [^a-z] rejects "a"
        #expect(matcher.allows(6))             // but a two-byte "é" is one code point outside a-z
        try matcher.accept(6)
        #expect(matcher.isFinished)
        var greek = GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
        try greek.accept(3)
        #expect(!greek.allows(5))              // half a character cannot be followed by "!"
        #expect(!greek.allows(3))              // nor by another lead byte
        try greek.accept(4)
        #expect(greek.allows(5) && greek.allows(3) && !greek.isComplete)
        try greek.accept(5)
        #expect(greek.isComplete && greek.isFinished)
        #expect(throws: GrammarError.tokenNotAllowed(5)) { try greek.accept(5) }
    }

    @Test func negatedClassesAndAnyCharacter() throws {
        let grammar = try Grammar(gbnf: #"root ::= "\"" [^"\\\n]* "\"" ."#)
        #expect(matches(grammar, #""abc 日本"€"#))
        #expect(!matches(grammar, "\"a\\b\"x"))
        #expect(!matches(grammar, "\"a\nb\"x"))
        #expect(!matches(grammar, "\"ab\""))                    // `.` needs one more character
        #expect(!acceptsPrefix(grammar, [0x22, 0xFF]))           // invalid UTF-8 never matches
        #expect(!acceptsPrefix(grammar, [0x22, 0xED, 0xA0]))     // nor do encoded surrogates
        #expect(acceptsPrefix(grammar, [0x22, 0xF0, 0x9F]))      // a partial 4-byte character may continue
    }

    @Test func boundedRepetitions() throws {
        let grammar = try Grammar(gbnf: #"root ::= [0-9]{2,4} "-" "ab"{3} "x"{1,} "y"{0,2}"#)
        for text in ["12-ababab" + "x", "1234-abababxxxyy", "123-abababxy"] { #expect(matches(grammar, text), "\(text)") }
        for text in ["1-abababx", "12345-abababx", "12-ababx", "12-ababab", "12-abababxyyy"] {
            #expect(!matches(grammar, text), "\(text)")
        }
    }

    @Test func completeAndFinished() throws {
        let grammar = try Grammar(gbnf: #"root ::= "a" "b"?"#)
        var matcher = GrammarMatcher(grammar: grammar, vocabulary: tinyVocabulary)
        #expect(!matcher.isComplete)
        _ = matcher.accept(bytes: [0x61])
        #expect(matcher.isComplete && !matcher.isFinished)
        _ = matcher.accept(bytes: [0x62])
        #expect(matcher.isComplete && matcher.isFinished)
    }

    /// `mask` keeps exactly the tokens whose bytes a copy of the matcher accepts one by one.
    @Test(arguments: [
        ("json mode", Grammar.json),
        ("unicode gbnf", try! Grammar(gbnf: #"root ::= ( [a-zé你-好] | "😀" | "\\" [nt] )* ( "!" | [0-9]{1,3} ) | "[" root "]""#)),
        ("schema", try! Grammar(jsonSchemaText: #"{"type":"object","properties":{"name":{"type":"string","maxLength":5},"age":{"type":"integer","minimum":-5,"maximum":120},"tags":{"type":"array","items":{"enum":["a","é",1]},"maxItems":3}},"required":["name"]}"#)),
    ])
    func maskEqualsBruteForce(name: String, grammar: Grammar) {
        let (tokens, vocabulary, eog, excluded) = syntheticVocabulary(seed: 7)
        var rng = SplitMix64(seed: 42)
        var checkedStates = 0
        for _ in 0..<6 {
            var matcher = GrammarMatcher(grammar: grammar, vocabulary: vocabulary)
            for _ in 0..<25 {
                var logits = [Float](repeating: 0, count: tokens.count + 5)   // padded like a real output layer
                logits.withUnsafeMutableBufferPointer { matcher.mask($0) }
                var allowed: [Int32] = []
                for id in 0..<logits.count {
                    let token = Int32(id)
                    let expected: Bool
                    if id >= tokens.count || token == excluded || tokens[id].isEmpty {
                        expected = false
                    } else if token == eog {
                        expected = matcher.isComplete
                    } else {
                        var copy = matcher
                        expected = tokens[id].allSatisfy { copy.accept(bytes: [$0]) }
                    }
                    #expect((logits[id] == 0) == expected, "\(name): token \(id) \(tokens[safe: id] ?? [])")
                    #expect(matcher.allows(token) == expected, "\(name): allows(\(id))")
                    if expected { allowed.append(token) }
                }
                checkedStates += 1
                guard !allowed.isEmpty else { break }
                // Prefer closing tokens as the walk goes on, so it visits complete states too.
                let token = allowed.randomElement(using: &rng)!
                if token == eog { break }
                try? matcher.accept(token)
            }
        }
        #expect(checkedStates >= 30)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
