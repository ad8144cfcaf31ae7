// `Ops.attend` against a Double formula, over key blocks written with `Ops.storeKey`.
import Foundation
@testable import Kernels
import Testing
import TestSupport

@Suite struct AttentionTests {
    /// One key/value head's cache of `count` positions: keys in blocks, values one row per
    /// position with a second head's dimensions in between (`valueStride` = 2 · headDimension).
    struct Head<Element: CacheElement> {
        let headDimension: Int
        let keyRows: [[Float]]   // as cached (rounded to Element)
        let valueRows: [[Float]]
        var keys: [Element]
        var values: [Element]
        var valueStride: Int { 2 * headDimension }

        init(count: Int, headDimension d: Int, rng: inout SplitMix64) {
            headDimension = d
            keyRows = (0..<count).map { _ in (0..<d).map { _ in Element.float(Element(rng.float())) } }
            valueRows = (0..<count).map { _ in (0..<d).map { _ in Element.float(Element(rng.float())) } }
            keys = [Element](repeating: Element(0), count: Ops.keyElements(positions: count, headDimension: d))
            values = [Element](repeating: Element(0), count: count * 2 * d)
            for p in 0..<count {
                keys.withUnsafeMutableBufferPointer {
                    Ops.storeKey(keyRows[p], position: p, headDimension: d, into: $0.baseAddress!)
                }
                for i in 0..<d { values[p * 2 * d + i] = Element(valueRows[p][i]) }
            }
        }

        /// `heads` query heads over `positions`.
        func attend(_ queries: [Float], heads: Int, positions: Range<Int>, scale: Float) -> [Float] {
            var scores = [Float](repeating: .nan, count: Ops.attentionScratch(heads: heads, length: positions.count,
                                                                              headDimension: headDimension))
            var output = [Float](repeating: .nan, count: heads * headDimension)
            keys.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    if let k = k as? UnsafeBufferPointer<Float16>, let v = v as? UnsafeBufferPointer<Float16> {
                        Ops.attend(query: queries, heads: heads, keys: k.baseAddress!, values: v.baseAddress!,
                                   valueStride: valueStride, positions: positions, headDimension: headDimension,
                                   scale: scale, scores: &scores, output: &output)
                    } else if let k = k as? UnsafeBufferPointer<Float>, let v = v as? UnsafeBufferPointer<Float> {
                        Ops.attend(query: queries, heads: heads, keys: k.baseAddress!, values: v.baseAddress!,
                                   valueStride: valueStride, positions: positions, headDimension: headDimension,
                                   scale: scale, scores: &scores, output: &output)
                    }
                }
            }
            return output
        }

        /// The softmax-weighted sum of the values in Double.
        func expected(_ query: ArraySlice<Float>, positions: Range<Int>, scale: Float) -> [Double] {
            let q = query.map(Double.init)
            let s = positions.map { j in zip(q, keyRows[j]).reduce(0.0) { $0 + $1.0 * Double($1.1) } * Double(scale) }
            let m = s.max()!, total = s.reduce(0.0) { $0 + exp($1 - m) }
            return (0..<headDimension).map { i in
                zip(s, positions).reduce(0.0) { $0 + exp($1.0 - m) / total * Double(valueRows[$1.1][i]) }
            }
        }
    }

    static let cases: [(headDimension: Int, heads: Int, positions: Range<Int>)] = [
        (64, 7, 0..<150),    // Qwen2.5 0.5B's groups, across several pairs of key blocks
        (64, 1, 0..<1),      // the first token
        (72, 3, 21..<150),   // a window that starts inside a pair of blocks; dimensions not a multiple of 16
        (40, 2, 33..<34),    // one position, alone in its block
        (256, 4, 5..<70),    // Gemma's head size
    ]

    /// Over a Float16 cache the query and the weights are rounded to Float16 (as llama.cpp), so
    /// the result is within about 1e-3 of the exact one; over a Float cache it is exact to
    /// Float rounding.
    @Test(arguments: cases.indices)
    func attentionIsASoftmaxWeightedSumOfValues(index: Int) {
        let (d, heads, positions) = Self.cases[index]
        var rng = SplitMix64(seed: 0xA77 + UInt64(index))
        let queries = (0..<(heads * d)).map { _ in rng.float(2) }
        let half = Head<Float16>(count: positions.upperBound, headDimension: d, rng: &rng)
        let float = Head<Float>(count: positions.upperBound, headDimension: d, rng: &rng)
        let scale = 1 / Float(d).squareRoot()
        let fromHalf = half.attend(queries, heads: heads, positions: positions, scale: scale)
        let fromFloat = float.attend(queries, heads: heads, positions: positions, scale: scale)
        for h in 0..<heads {
            let query = queries[(h * d)..<((h + 1) * d)]
            let a = half.expected(query, positions: positions, scale: scale)
            let b = float.expected(query, positions: positions, scale: scale)
            for i in 0..<d {
                #expect(abs(Double(fromHalf[h * d + i]) - a[i]) < 2e-3, "Float16 head \(h) dimension \(i)")
                #expect(abs(Double(fromFloat[h * d + i]) - b[i]) < 1e-5, "Float head \(h) dimension \(i)")
            }
        }
    }

    /// Several query heads over one key/value head give each head exactly what it gets alone,
    /// whichever group of heads it was scored and weighted with.
    @Test(arguments: [64, 72])
    func groupedHeadsEqualOneHeadAtATime(headDimension d: Int) {
        var rng = SplitMix64(seed: 0xA77E + UInt64(d))
        let heads = 7, positions = 9..<150
        let queries = (0..<(heads * d)).map { _ in rng.float() }
        let cache = Head<Float16>(count: positions.upperBound, headDimension: d, rng: &rng)
        let together = cache.attend(queries, heads: heads, positions: positions, scale: 0.125)
        for h in 0..<heads {
            let alone = cache.attend(Array(queries[(h * d)..<((h + 1) * d)]), heads: 1, positions: positions, scale: 0.125)
            #expect(alone.map(\.bitPattern) == together[(h * d)..<((h + 1) * d)].map(\.bitPattern), "head \(h)")
        }
    }

    /// The output may overwrite the query (what the decoder does to save a buffer).
    @Test func outputMayReplaceTheQuery() {
        var rng = SplitMix64(seed: 0x1A1)
        let d = 64, heads = 7, positions = 0..<45
        let queries = (0..<(heads * d)).map { _ in rng.float() }
        let cache = Head<Float16>(count: positions.upperBound, headDimension: d, rng: &rng)
        let separate = cache.attend(queries, heads: heads, positions: positions, scale: 0.125)
        var inPlace = queries
        var scores = [Float](repeating: .nan, count: Ops.attentionScratch(heads: heads, length: positions.count,
                                                                          headDimension: d))
        cache.keys.withUnsafeBufferPointer { k in
            cache.values.withUnsafeBufferPointer { v in
                inPlace.withUnsafeMutableBufferPointer { q in
                    Ops.attend(query: q.baseAddress!, heads: heads, keys: k.baseAddress!, values: v.baseAddress!,
                               valueStride: cache.valueStride, positions: positions, headDimension: d, scale: 0.125,
                               scores: &scores, output: q.baseAddress!)
                }
            }
        }
        #expect(inPlace.map(\.bitPattern) == separate.map(\.bitPattern))
    }

    /// `storeKey` puts dimension d of position p at `keyIndex(p) + d · keyBlock`.
    @Test func keysAreStoredDimensionMajorInBlocks() {
        let d = 3
        var keys = [Float](repeating: 0, count: Ops.keyElements(positions: 40, headDimension: d))
        #expect(keys.count == 64 * d)   // whole pairs of 16-position blocks
        for p in [0, 15, 16, 39] {
            let key: [Float] = [Float(p), Float(p) + 0.25, Float(p) + 0.5]
            keys.withUnsafeMutableBufferPointer { Ops.storeKey(key, position: p, headDimension: d, into: $0.baseAddress!) }
        }
        #expect(keys[0] == 0 && keys[16] == 0.25 && keys[32] == 0.5)
        #expect(keys[15] == 15 && keys[15 + 32] == 15.5)
        #expect(keys[48] == 16 && keys[48 + 16] == 16.25)
        #expect(keys[2 * 48 + 7] == 39 && keys[2 * 48 + 7 + 32] == 39.5)
    }
}
