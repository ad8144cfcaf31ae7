/// Keys and values of every attention layer for a fixed number of sequences,
/// stored as Float16 (llama.cpp's default cache type).
///
/// Layout: `[layer][sequence][position][kvDimension]`, allocated once.
public final class KVCache: @unchecked Sendable {
    // @unchecked Sendable: the storage is written only by the forward pass of
    // the model that owns it, which its callers serialize.

    public let layers: Int
    public let sequences: Int
    /// Positions each sequence can hold (the context length).
    public let capacity: Int
    /// Floats per cached row: key/value heads × head dimension.
    public let kvDimension: Int
    private let keys: UnsafeMutablePointer<Float16>
    private let values: UnsafeMutablePointer<Float16>
    /// Number of positions filled in each sequence (one past the highest written position).
    public private(set) var lengths: [Int]

    public init(layers: Int, sequences: Int, capacity: Int, kvDimension: Int) {
        self.layers = layers
        self.sequences = sequences
        self.capacity = capacity
        self.kvDimension = kvDimension
        let count = layers * sequences * capacity * kvDimension
        keys = .allocate(capacity: max(count, 1))
        values = .allocate(capacity: max(count, 1))
        lengths = Array(repeating: 0, count: sequences)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes held for keys and values.
    public var byteCount: Int { 2 * layers * sequences * capacity * kvDimension * MemoryLayout<Float16>.stride }

    /// Bytes needed per cached position of one sequence.
    public static func bytesPerPosition(layers: Int, kvDimension: Int) -> Int {
        2 * layers * kvDimension * MemoryLayout<Float16>.stride
    }

    @inline(__always)
    private func offset(layer: Int, sequence: Int, position: Int) -> Int {
        ((layer &* sequences &+ sequence) &* capacity &+ position) &* kvDimension
    }

    /// First cached key row of `sequence` in `layer`; row `p` is `kvDimension` further per position.
    public func keys(layer: Int, sequence: Int) -> UnsafePointer<Float16> {
        UnsafePointer(keys + offset(layer: layer, sequence: sequence, position: 0))
    }

    public func values(layer: Int, sequence: Int) -> UnsafePointer<Float16> {
        UnsafePointer(values + offset(layer: layer, sequence: sequence, position: 0))
    }

    /// Stores one position's key and value rows (`kvDimension` floats each), rounding to Float16.
    public func store(layer: Int, sequence: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let o = offset(layer: layer, sequence: sequence, position: position)
        for i in 0..<kvDimension {
            keys[o &+ i] = Float16(key[i])
            values[o &+ i] = Float16(value[i])
        }
    }

    /// Records that `sequence` now holds positions up to `position`.
    public func didFill(sequence: Int, through position: Int) {
        lengths[sequence] = max(lengths[sequence], position + 1)
    }

    /// Forgets positions `length…` of `sequence` (all of it by default).
    public func truncate(sequence: Int, to length: Int = 0) {
        lengths[sequence] = min(lengths[sequence], length)
    }
}
