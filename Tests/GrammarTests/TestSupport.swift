// Shared helpers: byte-level matching, seeded random walks, a synthetic vocabulary and the
// Python `jsonschema` reference that generated JSON is validated against.

import Foundation
import Templates
@testable import Grammar
import TestSupport

/// Whether `text` is a complete sentence of `grammar`.
func matches(_ grammar: Grammar, _ text: String) -> Bool {
    var matcher = GrammarMatcher(grammar: grammar, vocabulary: tinyVocabulary)
    return matcher.accept(bytes: Array(text.utf8)) && matcher.isComplete
}

/// Whether `text` can be continued into a sentence (every byte accepted).
func acceptsPrefix(_ grammar: Grammar, _ bytes: [UInt8]) -> Bool {
    var matcher = GrammarMatcher(grammar: grammar, vocabulary: tinyVocabulary)
    return matcher.accept(bytes: bytes)
}

let tinyVocabulary = GrammarVocabulary(tokens: [[0x61]], excluded: [], endOfGeneration: [])


/// A random sentence of `grammar`, byte by byte: random allowed bytes (mostly ASCII) until `softLimit`
/// bytes, then always a byte on a shortest path to completion, so every walk ends.
func randomSentence(_ grammar: Grammar, rng: inout SplitMix64, softLimit: Int = 120) -> [UInt8]? {
    let automaton = grammar.automaton
    var state = automaton.initialState
    var out: [UInt8] = []
    while !automaton.isFinished(state) {
        if automaton.isComplete(state) && (out.count > softLimit || Int.random(in: 0..<8, using: &rng) == 0) { break }
        let next = (0...255).compactMap { b -> (UInt8, Int32)? in
            let t = automaton.advance(state, [UInt8(b)])
            return t >= 0 ? (UInt8(b), t) : nil
        }
        guard !next.isEmpty, out.count < 20_000 else { return nil }   // a dead end is a grammar bug
        var choices = next
        if out.count > softLimit {
            let distances = next.map { automaton.distanceToCompletion($0.1) }
            let best = distances.min()!
            choices = zip(next, distances).filter { $0.1 == best }.map(\.0)
        } else if Int.random(in: 0..<10, using: &rng) < 8 {
            let ascii = next.filter { $0.0 < 0x80 }
            if !ascii.isEmpty { choices = ascii }
        }
        let (byte, t) = choices.randomElement(using: &rng)!
        out.append(byte)
        state = t
    }
    return out
}

/// A few thousand tokens: every single byte, JSON fragments, random strings, whole and split UTF-8.
func syntheticVocabulary(seed: UInt64) -> (tokens: [[UInt8]], vocabulary: GrammarVocabulary, eog: Int32, excluded: Int32) {
    var rng = SplitMix64(seed: seed)
    var tokens: [[UInt8]] = (0...255).map { [UInt8($0)] }
    let fragments = ["{", "}", "{\"", "\":", "\": ", "\",", "\", \"", "[", "]", "[{", "}]", "},", "true", "false", "null",
                     "nul", "tr", "0", "1", "12", "-", "-1", ".5", "e+", "E-3", "1e", " ", "  ", "\n", "\n  ", "\t", "\\", "\\n",
                     "\\\"", "\\u00", "\\u12ab", "name", "age", "\"name\"", "\"age\": ", "hello", " world", "a\"b", "ok\"}",
                     "é", "ü", "你好", "世界", "😀", "日本語", "\"é\"", "Ω", "\u{7F}", "\u{1F}"]
    tokens += fragments.map { Array($0.utf8) }
    for text in ["é", "你好", "😀", "世界", "Ω", "日本語", "🎉x"] {   // split multi-byte characters
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count { tokens.append(Array(bytes[..<cut])); tokens.append(Array(bytes[cut...])) }
    }
    let alphabet = Array("{}[]\":, \n0123456789-+.eEabcnrtulsfx\\".utf8) + [0xC3, 0xA9, 0xE4, 0xBD, 0xA0, 0xF0, 0x9F, 0x98, 0x80]
    for _ in 0..<3000 {
        let length = Int.random(in: 1...7, using: &rng)
        tokens.append((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }
    let eog = Int32(tokens.count)
    tokens.append(Array("<|endoftext|>".utf8))
    let excluded = Int32(tokens.count)
    tokens.append(Array("<|im_start|>".utf8))
    tokens.append([])   // an empty token is never allowed
    return (tokens, GrammarVocabulary(tokens: tokens, excluded: [excluded], endOfGeneration: [eog]), eog, excluded)
}
