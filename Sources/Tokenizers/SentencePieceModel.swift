/// SentencePiece BPE: normalized text (spaces already U+2581) → token ids by repeatedly merging
/// the adjacent pair whose joined text is the highest-scored vocabulary piece, leftmost on ties.
///
/// Symbols start as UTF-8 characters. Pieces left without an id fall back to `<0xAB>` byte
/// tokens (or the unknown token). Follows Google's `sentencepiece` (`bpe_model.cc`,
/// `Model::SampleEncode` without sampling) and llama.cpp's `llm_tokenizer_spm`: a linked list of
/// symbols and a heap of candidate pairs, so a long text stays O(n log n).
struct SentencePieceModel: Sendable {
    /// Every entry, for looking pieces up by text.
    let vocabulary: Vocabulary
    /// Per id: the merge priority of the piece (higher merges first), or nil when merging must
    /// never produce it (control, byte, unknown entries; `sentencepiece` keeps these out of its
    /// piece table).
    let scores: [Float?]
    /// The `<0xAB>` token of each byte; nil when the vocabulary has no byte tokens.
    let byteTokens: [Int32]?
    /// Stands for a piece outside the vocabulary when there are no byte tokens.
    let unknownToken: Int32

    /// The id of a piece merging may produce or keep, with its priority.
    @inline(__always)
    private func piece(_ text: UnsafeBufferPointer<UInt8>) -> (id: Int32, key: UInt32)? {
        guard let id = vocabulary.texts.id(of: text), let score = scores[id] else { return nil }
        return (Int32(id), Self.priority(score))
    }

    /// An order-preserving map of `score` to an unsigned key, inverted so that the highest score
    /// gets the smallest key (the heap is a min-heap).
    @inline(__always)
    static func priority(_ score: Float) -> UInt32 {
        let bits = score.bitPattern
        let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return ~ordered
    }

    /// Reusable buffers, so encoding a long text allocates once.
    struct Scratch {
        var start: [Int] = []
        var length: [Int] = []   // 0 once absorbed into the symbol on its left
        var previous: [Int32] = []
        var next: [Int32] = []
        var heap: [UInt64] = []
    }

    /// Appends the ids of `text` (normalized: spaces replaced by U+2581) to `out`.
    func encode(_ text: UnsafeBufferPointer<UInt8>, into out: inout [Int32], scratch: inout Scratch) {
        guard !text.isEmpty else { return }
        loadCharacters(text, into: &scratch)
        var heap = MinHeap(storage: [])
        swap(&heap.storage, &scratch.heap)   // reuse the buffer without a copy-on-write
        heap.storage.removeAll(keepingCapacity: true)
        for left in 0..<(scratch.start.count - 1) {
            pushPair(left, text, scratch, &heap)
        }
        while let top = heap.pop() {
            let left = Int(UInt32(truncatingIfNeeded: top))
            let right = Int(scratch.next[left])
            // stale entries: the left symbol was absorbed, or the pair changed since the push
            guard scratch.length[left] > 0, right >= 0,
                  let merged = piece(pair(left, right, text, scratch)),
                  UInt64(merged.key) == top >> 32 else { continue }
            scratch.length[left] += scratch.length[right]
            scratch.length[right] = 0
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.previous[Int(after)] = Int32(left) }
            let before = Int(scratch.previous[left])
            if before >= 0 { pushPair(before, text, scratch, &heap) }
            if after >= 0 { pushPair(left, text, scratch, &heap) }
        }
        swap(&heap.storage, &scratch.heap)
        var index = 0
        while index >= 0 {
            let symbol = UnsafeBufferPointer(rebasing: text[scratch.start[index]..<(scratch.start[index] + scratch.length[index])])
            if let found = piece(symbol) {
                out.append(found.id)
            } else {
                appendBytes(symbol, into: &out)
            }
            index = Int(scratch.next[index])
        }
    }

    /// One symbol per UTF-8 character, linked in order.
    private func loadCharacters(_ text: UnsafeBufferPointer<UInt8>, into scratch: inout Scratch) {
        scratch.start.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        scratch.previous.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        var offset = 0
        while offset < text.count {
            let length = min(Self.characterLength(text[offset]), text.count - offset)
            scratch.previous.append(Int32(scratch.start.count - 1))
            scratch.start.append(offset)
            scratch.length.append(length)
            offset += length
            scratch.next.append(offset < text.count ? Int32(scratch.start.count) : -1)
        }
    }

    /// The bytes of symbol `left` followed by symbol `right` (adjacent in `text`).
    @inline(__always)
    private func pair(_ left: Int, _ right: Int, _ text: UnsafeBufferPointer<UInt8>, _ scratch: Scratch) -> UnsafeBufferPointer<UInt8> {
        let start = scratch.start[left]
        return UnsafeBufferPointer(rebasing: text[start..<(start + scratch.length[left] + scratch.length[right])])
    }

    /// Queues the merge of symbol `left` with its right neighbour, if the result is a piece.
    @inline(__always)
    private func pushPair(_ left: Int, _ text: UnsafeBufferPointer<UInt8>, _ scratch: Scratch, _ heap: inout MinHeap) {
        let right = Int(scratch.next[left])
        guard right >= 0, let merged = piece(pair(left, right, text, scratch)) else { return }
        heap.push(UInt64(merged.key) << 32 | UInt64(left))
    }

    /// Byte fallback: one `<0xAB>` token per byte (`sentencepiece` with `byte_fallback`), else
    /// one unknown token for the whole piece.
    private func appendBytes(_ symbol: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        guard let byteTokens else { return out.append(unknownToken) }
        for byte in symbol { out.append(byteTokens[Int(byte)]) }
    }

    /// The length a UTF-8 lead byte announces (1 for ASCII and stray bytes).
    @inline(__always)
    private static func characterLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC0...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF7: return 4
        default: return 1
        }
    }
}
