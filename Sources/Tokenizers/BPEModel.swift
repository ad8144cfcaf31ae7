/// Byte-level BPE: one pre-token's bytes → token ids by repeatedly applying the
/// lowest-ranked merge, leftmost first.
///
/// Each byte starts as its own single-byte token, as in Hugging Face's `BPE` model after the
/// `ByteLevel` pre-tokenizer (`tokenizers/src/models/bpe/word.rs`, `merge_all`). Short words use
/// a linear scan over a pair-rank array; long ones a heap, so a 100 kB letter run stays
/// O(n log n).
struct BPEModel: Sendable {
    let merges: MergeTable
    /// The id of each byte's single-character token.
    let byteTokens: [Int32]

    /// Words longer than this (in bytes) go through the heap.
    static let heapThreshold = 64

    /// Packed `rank << 32 | merged id`; `.max` when the pair has no rule.
    @inline(__always)
    private func pairValue(_ left: Int32, _ right: Int32) -> UInt64 {
        guard let rule = merges.lookup(left, right) else { return .max }
        return UInt64(UInt32(bitPattern: rule.rank)) << 32 | UInt64(UInt32(bitPattern: rule.merged))
    }

    /// Appends the ids for `word` (the raw bytes of one pre-token) to `out`.
    func encode(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout Scratch) {
        switch word.count {
        case 0:
            return
        case 1:
            out.append(byteTokens[Int(word[0])])
        case ...Self.heapThreshold:
            encodeByScanning(word, into: &out, scratch: &scratch)
        default:
            encodeWithHeap(word, into: &out, scratch: &scratch)
        }
    }

    /// Reusable buffers, so encoding a long text allocates once.
    struct Scratch {
        // scan path: grown, never shrunk; only the first `word.count` entries are used
        var symbols: [Int32] = []
        var pairs: [UInt64] = []
        // heap path: rebuilt per word
        var linked: [Int32] = []
        var previous: [Int32] = []
        var next: [Int32] = []
        var heap: [UInt64] = []
    }

    // MARK: Short words — O(n²) scan, fastest in practice for n ≤ a few hundred

    func encodeByScanning(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout Scratch) {
        var count = word.count
        if scratch.symbols.count < count { scratch.symbols = [Int32](repeating: 0, count: count) }
        if scratch.pairs.count < count { scratch.pairs = [UInt64](repeating: 0, count: count) }
        scratch.symbols.withUnsafeMutableBufferPointer { symbols in
            scratch.pairs.withUnsafeMutableBufferPointer { pairs in
                byteTokens.withUnsafeBufferPointer { byteTokens in
                    for index in 0..<count { symbols[index] = byteTokens[Int(word[index])] }
                }
                for index in 0..<(count - 1) { pairs[index] = pairValue(symbols[index], symbols[index + 1]) }
                while count > 1 {
                    // pairs[i] joins symbols[i] and symbols[i + 1]; strict < keeps the leftmost
                    var best = 0
                    var bestValue = pairs[0]
                    for index in 1..<(count - 1) where pairs[index] < bestValue {
                        best = index
                        bestValue = pairs[index]
                    }
                    if bestValue == .max { break }
                    symbols[best] = Int32(truncatingIfNeeded: bestValue)
                    // drop symbols[best + 1] and pairs[best + 1]
                    for index in (best + 1)..<(count - 1) { symbols[index] = symbols[index + 1] }
                    if best + 1 < count - 1 {
                        for index in (best + 1)..<(count - 2) { pairs[index] = pairs[index + 1] }
                    }
                    count -= 1
                    if best > 0 { pairs[best - 1] = pairValue(symbols[best - 1], symbols[best]) }
                    if best < count - 1 { pairs[best] = pairValue(symbols[best], symbols[best + 1]) }
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: symbols[..<count]))
            }
        }
    }

    // MARK: Long words — linked symbols and a min-heap of (rank, position)

    func encodeWithHeap(_ word: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout Scratch) {
        let count = word.count
        scratch.linked.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for (index, byte) in word.enumerated() {
            scratch.linked.append(byteTokens[Int(byte)])
            scratch.previous.append(Int32(index - 1))
            scratch.next.append(index + 1 < count ? Int32(index + 1) : -1)
        }
        var heap = MinHeap(storage: [])
        swap(&heap.storage, &scratch.heap)   // reuse the buffer without a copy-on-write
        heap.storage.removeAll(keepingCapacity: true)
        for index in 0..<(count - 1) {
            if let rule = merges.lookup(scratch.linked[index], scratch.linked[index + 1]) {
                heap.push(Self.entry(rank: rule.rank, position: index))
            }
        }
        while let top = heap.pop() {
            let rank = Int32(truncatingIfNeeded: top >> 32)
            let position = Int(UInt32(truncatingIfNeeded: top))
            let right = Int(scratch.next[position])
            // stale entries: the left symbol was absorbed, or the pair changed since the push
            guard scratch.linked[position] >= 0, right >= 0,
                  let rule = merges.lookup(scratch.linked[position], scratch.linked[right]),
                  rule.rank == rank else { continue }
            scratch.linked[position] = rule.merged
            scratch.linked[right] = -1
            let after = Int(scratch.next[right])
            scratch.next[position] = Int32(after)
            if after >= 0 { scratch.previous[after] = Int32(position) }
            let before = Int(scratch.previous[position])
            if before >= 0, let rule = merges.lookup(scratch.linked[before], rule.merged) {
                heap.push(Self.entry(rank: rule.rank, position: before))
            }
            if after >= 0, let rule = merges.lookup(rule.merged, scratch.linked[after]) {
                heap.push(Self.entry(rank: rule.rank, position: position))
            }
        }
        swap(&heap.storage, &scratch.heap)
        var index = 0
        while index >= 0 {
            out.append(scratch.linked[index])
            index = Int(scratch.next[index])
        }
    }

    @inline(__always)
    private static func entry(rank: Int32, position: Int) -> UInt64 {
        UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(position)
    }
}
