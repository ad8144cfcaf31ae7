import Kernels

/// Keys and values of every attention layer for a fixed number of sequences, stored as
/// Float16 (llama.cpp's default cache type) or as Float (exact; llama.cpp's `-ctk f32 -ctv f32`),
/// and the state of any recurrent layers.
///
/// Layout: one region per `[layer][sequence][kvHead]`, allocated once. A region's values are one
/// row of `headDimension` per position; its keys are in `Ops.keyBlock`-position blocks (see
/// `Ops.attend`), so each thread streams its own head's keys and values. `layer` counts the layers
/// that attend; a model with recurrent layers (Qwen3.5) maps its layer indices onto these slots
/// and keeps the recurrent layers' state in `recurrent`.
///
/// A recurrent state cannot be rewound to an earlier position, so on such a cache `truncate`
/// can only start a sequence over; `checkpoint(sequence:)` and `restore(_:sequence:)` return to
/// a position saved earlier instead.
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
    /// Key/value heads per layer.
    public let kvHeads: Int
    /// Floats per head's key (and value).
    public let headDimension: Int
    /// Floats per cached position of a layer: key/value heads × head dimension.
    public var kvDimension: Int { kvHeads * headDimension }
    public let element: Element
    private let keys: UnsafeMutableRawPointer
    private let values: UnsafeMutableRawPointer
    /// Elements per `[layer][sequence][kvHead]` region: `capacity` positions, rounded up to what
    /// `Ops.attend` reads.
    private let regionElements: Int
    /// Number of positions filled in each sequence (one past the highest written position).
    public private(set) var lengths: [Int]
    /// The recurrent layers' state per sequence, or nil when every layer attends.
    public let recurrent: RecurrentState?

    /// A cache for `layers` attention layers and, with `recurrentLayers` > 0, that many recurrent
    /// layers of `recurrentFloats` floats of state each per sequence.
    public init(layers: Int, sequences: Int, capacity: Int, kvHeads: Int, headDimension: Int,
                element: Element = .float16, recurrentLayers: Int = 0, recurrentFloats: Int = 0) {
        self.layers = layers
        self.sequences = sequences
        self.capacity = capacity
        self.kvHeads = kvHeads
        self.headDimension = headDimension
        self.element = element
        regionElements = Ops.keyElements(positions: capacity, headDimension: headDimension)
        let bytes = max(layers * sequences * kvHeads * regionElements * element.byteCount, 1)
        keys = .allocate(byteCount: bytes, alignment: 64)
        values = .allocate(byteCount: bytes, alignment: 64)
        lengths = Array(repeating: 0, count: sequences)
        recurrent = recurrentLayers > 0
            ? RecurrentState(layers: recurrentLayers, sequences: sequences, floatsPerLayer: recurrentFloats) : nil
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes held for keys, values and recurrent state.
    public var byteCount: Int {
        2 * layers * sequences * kvHeads * regionElements * element.byteCount + (recurrent?.byteCount ?? 0)
    }

    /// Bytes needed per cached position of one sequence.
    public static func bytesPerPosition(layers: Int, kvDimension: Int, element: Element = .float16) -> Int {
        2 * layers * kvDimension * element.byteCount
    }

    /// Where `kvHead`'s region of `layer` and `sequence` starts, in elements.
    @inline(__always)
    private func region(layer: Int, sequence: Int, kvHead: Int) -> Int {
        ((layer &* sequences &+ sequence) &* kvHeads &+ kvHead) &* regionElements
    }

    /// Stores one position's key and value rows (`kvDimension` floats each, head after head),
    /// rounding to Float16 in a Float16 cache.
    public func store(layer: Int, sequence: Int, position: Int, key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        switch element {
        case .float16: store(Float16.self, layer: layer, sequence: sequence, position: position, key: key, value: value)
        case .float32: store(Float.self, layer: layer, sequence: sequence, position: position, key: key, value: value)
        }
    }

    private func store<E: CacheElement>(_: E.Type, layer: Int, sequence: Int, position: Int,
                                        key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        for head in 0..<kvHeads {
            let r = region(layer: layer, sequence: sequence, kvHead: head), h = head * headDimension
            Ops.storeKey(key + h, position: position, headDimension: headDimension,
                         into: keys.assumingMemoryBound(to: E.self) + r)
            let v = values.assumingMemoryBound(to: E.self) + r + position * headDimension
            for d in 0..<headDimension { v[d] = E(value[h + d]) }
        }
    }

    /// `Ops.attend` for `heads` query heads of one token over `positions` of `sequence` in
    /// `layer`, reading key/value head `kvHead`.
    public func attend(
        layer: Int, sequence: Int, kvHead: Int, positions: Range<Int>,
        query: UnsafePointer<Float>, heads: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let r = region(layer: layer, sequence: sequence, kvHead: kvHead)
        switch element {
        case .float16:
            Ops.attend(query: query, heads: heads, keys: keys.assumingMemoryBound(to: Float16.self) + r,
                       values: values.assumingMemoryBound(to: Float16.self) + r, valueStride: headDimension,
                       positions: positions, headDimension: headDimension, scale: scale, scores: scores, output: output)
        case .float32:
            Ops.attend(query: query, heads: heads, keys: keys.assumingMemoryBound(to: Float.self) + r,
                       values: values.assumingMemoryBound(to: Float.self) + r, valueStride: headDimension,
                       positions: positions, headDimension: headDimension, scale: scale, scores: scores, output: output)
        }
    }

    /// Records that `sequence` now holds positions up to `position`.
    public func didFill(sequence: Int, through position: Int) {
        lengths[sequence] = max(lengths[sequence], position + 1)
    }

    /// Forgets positions `length…` of `sequence` (all of it by default) and returns the length
    /// actually kept.
    ///
    /// A recurrent state cannot be cut back, so with recurrent layers a shorter `length` forgets the
    /// whole sequence and returns 0: evaluate its tokens again from position 0, or `restore` a
    /// checkpoint.
    @discardableResult
    public func truncate(sequence: Int, to length: Int = 0) -> Int {
        if let recurrent, length < lengths[sequence] {
            recurrent.reset(sequence: sequence)
            lengths[sequence] = 0
        } else {
            lengths[sequence] = min(lengths[sequence], length)
        }
        return lengths[sequence]
    }

    /// Makes `target` hold the first `count` positions of `source` (llama.cpp's `seq_cp`), so a
    /// prompt can reuse a prefix another sequence evaluated; returns whether it could.
    ///
    /// With recurrent layers only the whole of `source` can be copied: its state has no earlier
    /// positions to stop at.
    public func copy(sequence source: Int, to target: Int, count: Int) -> Bool {
        guard source != target, count <= lengths[source], recurrent == nil || count == lengths[source] else { return false }
        let size = element.byteCount
        let keyBytes = Ops.keyElements(positions: count, headDimension: headDimension) * size
        for layer in 0..<layers {
            for head in 0..<kvHeads {
                let from = region(layer: layer, sequence: source, kvHead: head) * size
                let to = region(layer: layer, sequence: target, kvHead: head) * size
                (keys + to).copyMemory(from: keys + from, byteCount: keyBytes)
                (values + to).copyMemory(from: values + from, byteCount: count * headDimension * size)
            }
        }
        restore(CacheCheckpoint(length: count, recurrentState: recurrent?.copy(sequence: source) ?? []), sequence: target)
        return true
    }

    /// Saves where `sequence` stands: its length and a copy of its recurrent state.
    ///
    /// Keys and values are not copied. `restore` brings this back as long as the sequence's
    /// cached rows below `length` were not rewritten in between, which holds when the caller only
    /// ever restores onto a prefix it did not change (for example: checkpoint after a conversation's
    /// prompt, generate, restore, continue with the next turn).
    public func checkpoint(sequence: Int) -> CacheCheckpoint {
        CacheCheckpoint(length: lengths[sequence], recurrentState: recurrent?.copy(sequence: sequence) ?? [])
    }

    /// Returns `sequence` to `checkpoint`, taken from this cache: its length and recurrent state.
    /// See `checkpoint(sequence:)` for when this is valid.
    public func restore(_ checkpoint: CacheCheckpoint, sequence: Int) {
        recurrent?.restore(checkpoint.recurrentState, sequence: sequence)
        lengths[sequence] = checkpoint.length
    }
}

/// A sequence's place in a `KVCache` (its length and recurrent state), to return to later.
public struct CacheCheckpoint: Sendable {
    /// Positions the sequence held.
    public let length: Int
    /// The sequence's recurrent state at that length (empty without recurrent layers).
    let recurrentState: [Float]
}
