// Pins BPE merge order (lowest rank first, leftmost on ties) and that the heap path for long words agrees with the scan.
import GGUF
import Testing
@testable import Tokenizers
import TestSupport

struct BPEModelTests {
    /// Bytes, plus "ab", "bc", "abc", "aa", "aaaa" with the merges given.
    private func tiny(_ merges: [String]) throws -> Tokenizer {
        try Tokenizer(gguf: TinyGGUF.bpe(extra: ["ab", "bc", "abc", "aa", "aaaa"], merges: merges))
    }

    private func ids(_ tokenizer: Tokenizer, _ texts: String...) -> [Int32] {
        texts.map { tokenizer.token(for: $0)! }
    }

    @Test func lowestRankMergesFirst() throws {
        let tokenizer = try tiny(["b c", "a b", "ab c", "a bc"])
        // (b,c) has rank 0, so "abc" is a + bc, then a + bc → abc by rank 3
        #expect(tokenizer.encode("abc") == ids(tokenizer, "abc"))
        let noJoin = try tiny(["b c", "a b", "ab c"])
        #expect(noJoin.encode("abc") == ids(noJoin, "a", "bc"))
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let tokenizer = try tiny(["a a", "aa aa"])
        #expect(tokenizer.encode("aaa") == ids(tokenizer, "aa", "a"))
        #expect(tokenizer.encode("aaaaa") == ids(tokenizer, "aaaa", "a"))
    }

    @Test func unmergeableBytesStaySingle() throws {
        let tokenizer = try tiny([])
        #expect(tokenizer.encode("ab") == ids(tokenizer, "a", "b"))
        #expect(tokenizer.encode("é") == ids(tokenizer, "Ã", "©"))   // C3 A9 as byte-level characters
    }

    @Test func heapAgreesWithScanOnRealVocabulary() throws {
        let tokenizer = try Fixtures.qwen.get()
        var rng = SplitMix64(seed: 0xB9E)
        let pieces = ["a", "b", "e", "the", "ing", " ", "中", "文", "é", "😀", "ab", "\u{301}", "x", "0"].map { Array($0.utf8) }
        var scratch = BPEModel.Scratch()
        for _ in 0..<300 {
            var word: [UInt8] = []
            let length = Int.random(in: 2...700, using: &rng)
            while word.count < length { word += pieces.randomElement(using: &rng)! }
            var scanned: [Int32] = [], heaped: [Int32] = []
            word.withUnsafeBufferPointer {
                tokenizer.model.encodeByScanning($0, into: &scanned, scratch: &scratch)
                tokenizer.model.encodeWithHeap($0, into: &heaped, scratch: &scratch)
            }
            #expect(scanned == heaped, "word of \(word.count) bytes")
        }
    }

    @Test func scratchReuseAcrossPathsKeepsResults() throws {
        let tokenizer = try Fixtures.qwen.get()
        var rng = SplitMix64(seed: 99)
        var shared = BPEModel.Scratch()
        for _ in 0..<400 {
            let word = (0..<Int.random(in: 2...400, using: &rng)).map { _ in UInt8.random(in: 0x61...0x66, using: &rng) }
            var reused: [Int32] = [], fresh: [Int32] = []
            var scratch = BPEModel.Scratch()
            word.withUnsafeBufferPointer {
                tokenizer.model.encode($0, into: &reused, scratch: &shared)
                tokenizer.model.encode($0, into: &fresh, scratch: &scratch)
            }
            #expect(reused == fresh)
        }
    }
}
