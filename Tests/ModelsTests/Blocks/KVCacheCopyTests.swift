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

    /// Attention output of one query over `count` positions, which reads exactly the cached rows.
    func attended(_ cache: KVCache, sequence: Int, layer: Int, count: Int) -> [Float] {
        let d = cache.kvDimension
        let query = (0..<d).map { Float($0) / Float(d) }
        var scores = [Float](repeating: 0, count: Ops.attentionScratch(heads: 1, length: count, headDimension: d))
        var output = [Float](repeating: 0, count: d)
        cache.attend(layer: layer, sequence: sequence, kvHead: 0, positions: 0..<count, headDimension: d,
                     query: query, heads: 1, scale: 0.1, scores: &scores, output: &output)
        return output
    }

    @Test(arguments: KVCache.Element.allCases) func aPrefixCopiesExactly(element: KVCache.Element) {
        let cache = KVCache(layers: 3, sequences: 3, capacity: 16, kvDimension: 8, element: element)
        filled(cache, sequence: 0, count: 10, base: 0)
        filled(cache, sequence: 2, count: 12, base: 50)   // a longer sequence to be overwritten
        #expect(cache.copy(sequence: 0, to: 2, count: 6))
        #expect(cache.lengths == [10, 0, 6])
        for layer in 0..<3 {
            #expect(attended(cache, sequence: 2, layer: layer, count: 6) == attended(cache, sequence: 0, layer: layer, count: 6))
        }
        #expect(!cache.copy(sequence: 0, to: 1, count: 11))   // more than it holds
        #expect(!cache.copy(sequence: 1, to: 1, count: 0))
    }

    @Test func aRecurrentSequenceCopiesOnlyWhole() {
        let cache = KVCache(layers: 1, sequences: 2, capacity: 8, kvDimension: 4, recurrentLayers: 2, recurrentFloats: 3)
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
