/// Byte strings packed end to end, indexed by id, with an open-addressing hash index from
/// bytes back to id.
///
/// Keyed on raw UTF-8 bytes rather than `String`: Swift's `String` hashing normalizes
/// non-ASCII text, which would make loading a 150k-entry vocabulary several times slower,
/// and vocabulary lookups must be exact, not canonical-equivalent.
struct ByteStringTable: Sendable {
    private(set) var bytes: [UInt8] = []
    /// `offsets[id]..<offsets[id + 1]` is entry `id`.
    private(set) var offsets: [Int] = [0]
    /// Entry id + 1 per slot; 0 is empty.
    private var slots: [Int32] = []
    private var mask = 0

    var count: Int { offsets.count - 1 }

    init() {}

    /// Builds a table over `strings`; indexes every non-empty one.
    /// - Returns: the table, or the first duplicate as (first id, second id).
    static func build(_ strings: [String]) -> Result<ByteStringTable, DuplicateEntry> {
        var table = ByteStringTable()
        table.reserve(entries: strings.count)
        for string in strings {
            table.bytes.append(contentsOf: string.utf8)
            table.offsets.append(table.bytes.count)
        }
        for id in 0..<table.count where table.offsets[id] < table.offsets[id + 1] {
            if let existing = table.insert(id) {
                return .failure(DuplicateEntry(first: existing, second: id))
            }
        }
        return .success(table)
    }

    struct DuplicateEntry: Error {
        var first: Int
        var second: Int
    }

    private mutating func reserve(entries: Int) {
        var capacity = 16
        while capacity < entries + entries / 2 { capacity <<= 1 }   // at most two thirds full, as `MergeTable`
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        offsets.reserveCapacity(entries + 1)
    }

    /// Indexes entry `id`; returns the id already holding the same bytes, if any.
    private mutating func insert(_ id: Int) -> Int? {
        let start = offsets[id], end = offsets[id + 1]
        let hash = bytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[start..<end])) }
        var slot = hash & mask
        while slots[slot] != 0 {
            let other = Int(slots[slot]) - 1
            if self[other].elementsEqual(bytes[start..<end]) { return other }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(id + 1)
        return nil
    }

    subscript(id: Int) -> ArraySlice<UInt8> {
        bytes[offsets[id]..<offsets[id + 1]]
    }

    /// The id whose bytes are `head` followed by `tail` (pass an empty `tail` for a plain lookup).
    func id(of head: UnsafeBufferPointer<UInt8>, _ tail: UnsafeBufferPointer<UInt8> = .init(start: nil, count: 0)) -> Int? {
        guard !slots.isEmpty else { return nil }
        var hash = Self.fnvBasis
        Self.mix(head, into: &hash)
        Self.mix(tail, into: &hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        return bytes.withUnsafeBufferPointer { storage in
            while slots[slot] != 0 {
                let id = Int(slots[slot]) - 1
                let start = offsets[id], end = offsets[id + 1]
                if end - start == head.count + tail.count,
                   Self.equal(storage, start, head), Self.equal(storage, start + head.count, tail) {
                    return id
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    func id(of string: String) -> Int? {
        var string = string
        return string.withUTF8 { id(of: $0) }
    }

    // MARK: Hashing (FNV-1a, 64-bit)

    private static let fnvBasis: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    private static func mix(_ part: UnsafeBufferPointer<UInt8>, into hash: inout UInt64) {
        for byte in part {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
    }

    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var hash = fnvBasis
        mix(key, into: &hash)
        return Int(truncatingIfNeeded: hash)
    }

    @inline(__always)
    private static func equal(_ storage: UnsafeBufferPointer<UInt8>, _ at: Int, _ part: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = at
        for byte in part {
            if storage[index] != byte { return false }
            index += 1
        }
        return true
    }
}
