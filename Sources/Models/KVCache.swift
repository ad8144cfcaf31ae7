import Kernels

/// Keys and values of every attention layer for a fixed number of sequences, stored as
/// Float16 (llama.cpp's default cache type) or as Float (exact; llama.cpp's `-ctk f32 -ctv f32`).
///
/// Layout: `[layer][sequence][position][kvDimension]`, allocated once.
public final class KVCache: @unchecked Sendable {
    // @unchecked Sendable: the storage is written only by the forward pass of
    // the model that owns it, which its callers serialize.

    /// What the cache stores keys and values as.
    public enum Element: String, Sendable, CaseIterable {
        case float16 = "f16"
        case float32 = "f32"

        public var byteCount: Int { self == .float16 ? 2 : 4 }
    }

    public let layers: Int
    public let sequences: Int
    /// Positions each sequence can hold (the context length).
    public let capacity: Int
    /// Floats per cached row: key/value heads × head dimension.
    public let kvDimension: Int
    public let element: Element
    private let keys: UnsafeMutableRawPointer
    private let values: UnsafeMutableRawPointer
    /// Number of positions filled in each sequence (one past the highest written position).
    public private(set) var lengths: [Int]

    public init(layers: Int, sequences: Int, capacity: Int, kvDimension: Int, element: Element = .float16) {
        self.layers = layers
        self.sequences = sequences
        self.capacity = capacity
        self.kvDimension = kvDimension
        self.element = element
        let bytes = max(layers * sequences * capacity * kvDimension * element.byteCount, 1)
        keys = .allocate(byteCount: bytes, alignment: 64)
        values = .allocate(byteCount: bytes, alignment: 64)
        lengths = Array(repeating: 0, count: sequences)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes held for keys and values.
    public var byteCount: Int { 2 * layers * sequences * capacity * kvDimension * element.byteCount }

    /// Bytes needed per cached position of one sequence.
    public static func bytesPerPosition(layers: Int, kvDimension: Int, element: Element = .float16) -> Int {
        2 * layers * kvDimension * element.byteCount
    }

    @inline(__always)
    private func offset(layer: Int, sequence: Int, position: Int) -> Int {
        ((layer &* sequences &+ sequence) &* capacity &+ position) &* kvDimension
    }

    /// Stores one position's key and value rows (`kvDimension` floats each), rounding to Float16
    /// in a Float16 cache.
    public func store(layer: Int, sequence: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        let o = offset(layer: layer, sequence: sequence, position: position)
        switch element {
        case .float16:
            let k = keys.assumingMemoryBound(to: Float16.self) + o, v = values.assumingMemoryBound(to: Float16.self) + o
            for i in 0..<kvDimension {
                k[i] = Float16(key[i])
                v[i] = Float16(value[i])
            }
        case .float32:
            (keys.assumingMemoryBound(to: Float.self) + o).update(from: key, count: kvDimension)
            (values.assumingMemoryBound(to: Float.self) + o).update(from: value, count: kvDimension)
        }
    }

    /// `Ops.attend` for query heads `firstHead…` of one token over positions `first..<first + length`
    /// of `sequence` in `layer`, reading key/value head `kvHead` (each row `headDimension` wide).
    public func attend(
        layer: Int, sequence: Int, kvHead: Int, positions: Range<Int>, headDimension: Int,
        query: UnsafePointer<Float>, heads: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let o = offset(layer: layer, sequence: sequence, position: positions.lowerBound) &+ kvHead &* headDimension
        switch element {
        case .float16:
            Ops.attend(query: query, heads: heads, keys: keys.assumingMemoryBound(to: Float16.self) + o,
                       values: values.assumingMemoryBound(to: Float16.self) + o, rowStride: kvDimension,
                       length: positions.count, headDimension: headDimension, scale: scale, scores: scores, output: output)
        case .float32:
            Ops.attend(query: query, heads: heads, keys: keys.assumingMemoryBound(to: Float.self) + o,
                       values: values.assumingMemoryBound(to: Float.self) + o, rowStride: kvDimension,
                       length: positions.count, headDimension: headDimension, scale: scale, scores: scores, output: output)
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
