/// BPE merge rules keyed on a (left id, right id) pair → (rank, merged id).
///
/// Open addressing with linear probing over packed `UInt64` keys: a lookup is one multiply
/// and usually one probe, which is what the BPE inner loop spends its time on.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    /// `rank << 32 | merged id` per slot.
    private var values: [UInt64]
    private let shift: UInt64
    private let mask: Int
    private(set) var count = 0

    private static let empty = UInt64.max

    init(capacity: Int) {
        // At most two thirds full: still about one probe per lookup, and for a 150k-merge
        // vocabulary half the memory of a half-full table (4 MB less).
        var size = 16, bits: UInt64 = 4
        while size < capacity + capacity / 2 {
            size <<= 1
            bits += 1
        }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        shift = 64 - bits
        mask = size - 1
    }

    @inline(__always)
    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds a rule; an existing rule for the same pair keeps its (lower) rank, as llama.cpp's
    /// `bpe_ranks.emplace` does.
    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        let key = Self.key(left, right)
        var slot = slot(for: key)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        count += 1
    }

    /// The rule for merging `left` then `right`, if any.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = Self.key(left, right)
        var slot = slot(for: key)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key {
                    let value = values[slot]
                    return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
                }
                if found == Self.empty { return nil }
                slot = (slot + 1) & mask
            }
        }
    }
}
