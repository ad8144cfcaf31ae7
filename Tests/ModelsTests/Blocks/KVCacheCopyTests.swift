// `KVCache.copy`: one sequence's prefix copied into another, as the batch scheduler's prefix cache does.
import Kernels
import Models
import Testing

@Suite struct KVCacheCopyTests {
    func filled(_ cache: KVCache, sequence: Int, count: Int, base: Float) {
        let d = cache.kvDimension
        for layer in 0..<cache.layers {
            for p in 0..<count {
                let key = (0..<d).map { base + Float(layer * 100 + p) + Float($0) / 8 }
                let value = key.map { -$0 }
                cache.store(layer: layer, sequence: sequence, position: p, key: key, value: value)
                cache.didFill(sequence: sequence, through: p)
            }
        }
    }

    /// Attention output of one query per key/value head over `count` positions, which reads exactly
    /// the cached rows.
    func attended(_ cache: KVCache, sequence: Int, layer: Int, count: Int) -> [Float] {
        let d = cache.headDimension
        let query = (0..<d).map { Float($0) / Float(d) }
        var scores = [Float](repeating: 0, count: Ops.attentionScratch(heads: 1, length: count, headDimension: d))
        var output = [Float](repeating: 0, count: d * cache.kvHeads)
        for head in 0..<cache.kvHeads {
            output.withUnsafeMutableBufferPointer {
                cache.attend(layer: layer, sequence: sequence, kvHead: head, positions: 0..<count, query: query, heads: 1,
                             scale: 0.1, scores: &scores, output: $0.baseAddress! + head * d)
            }
        }
        return output
    }

    @Test(arguments: KVCache.Element.allCases) func aPrefixCopiesExactly(element: KVCache.Element) {
        let cache = KVCache(layers: 3, sequences: 3, capacity: 40, kvHeads: 2, headDimension: 4, element: element)
        filled(cache, sequence: 0, count: 37, base: 0)     // more than a pair of key blocks
        filled(cache, sequence: 2, count: 39, base: 50)    // a longer sequence to be overwritten
        #expect(cache.copy(sequence: 0, to: 2, count: 35))
        #expect(cache.lengths == [37, 0, 35])
        for layer in 0..<3 {
            let copied = attended(cache, sequence: 2, layer: layer, count: 35)
            #expect(copied == attended(cache, sequence: 0, layer: layer, count: 35))
            #expect(copied != attended(cache, sequence: 0, layer: layer, count: 34))
        }
        #expect(!cache.copy(sequence: 0, to: 1, count: 38))   // more than it holds
        #expect(!cache.copy(sequence: 1, to: 1, count: 0))
    }

    @Test func aRecurrentSequenceCopiesOnlyWhole() {
        let cache = KVCache(layers: 1, sequences: 2, capacity: 8, kvHeads: 1, headDimension: 4, recurrentLayers: 2,
                            recurrentFloats: 3)
        filled(cache, sequence: 0, count: 5, base: 0)
        for layer in 0..<2 { for i in 0..<3 { cache.recurrent!.state(layer: layer, sequence: 0)[i] = Float(layer * 10 + i) } }
        #expect(!cache.copy(sequence: 0, to: 1, count: 4))
        #expect(cache.copy(sequence: 0, to: 1, count: 5))
        #expect(cache.lengths == [5, 5])
        for layer in 0..<2 {
            #expect(Array(UnsafeBufferPointer(start: cache.recurrent!.state(layer: layer, sequence: 1), count: 3))
                    == [Float(layer * 10), Float(layer * 10 + 1), Float(layer * 10 + 2)])
        }
    }
}
