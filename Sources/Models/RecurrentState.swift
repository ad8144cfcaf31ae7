/// The Float32 state that recurrent layers (Qwen3.5's DeltaNet layers) carry from one token of a
/// sequence to the next, in place of keys and values: a fixed-size block per layer and sequence,
/// whatever the sequence's length. Owned by a `KVCache`.
///
/// Layout: `[sequence][layer][floatsPerLayer]`, so one sequence's state is one contiguous block
/// (what a checkpoint copies). All zero at first, as a sequence of length 0 requires.
public final class RecurrentState: @unchecked Sendable {
    // @unchecked Sendable: written only by the forward pass of the model that owns the cache,
    // which its callers serialize.

    public let layers: Int
    public let sequences: Int
    /// Floats of one layer's state for one sequence (the model decides what they mean).
    public let floatsPerLayer: Int
    private let storage: UnsafeMutablePointer<Float>

    public init(layers: Int, sequences: Int, floatsPerLayer: Int) {
        self.layers = layers
        self.sequences = sequences
        self.floatsPerLayer = floatsPerLayer
        let count = layers * sequences * floatsPerLayer
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { storage.deallocate() }

    /// Floats of one sequence's state across all layers.
    public var floatsPerSequence: Int { layers * floatsPerLayer }

    /// Bytes held.
    public var byteCount: Int { sequences * floatsPerSequence * MemoryLayout<Float>.stride }

    /// The state of `layer` (counting recurrent layers only) for `sequence`.
    public func state(layer: Int, sequence: Int) -> UnsafeMutablePointer<Float> {
        storage + (sequence &* layers &+ layer) &* floatsPerLayer
    }

    /// Sets `sequence`'s state back to the start of a sequence (zeros).
    func reset(sequence: Int) {
        (storage + sequence * floatsPerSequence).update(repeating: 0, count: floatsPerSequence)
    }

    /// A copy of `sequence`'s state.
    func copy(sequence: Int) -> [Float] {
        Array(UnsafeBufferPointer(start: storage + sequence * floatsPerSequence, count: floatsPerSequence))
    }

    /// Replaces `sequence`'s state with `values` (from `copy(sequence:)` of this state).
    func restore(_ values: [Float], sequence: Int) {
        precondition(values.count == floatsPerSequence, "a checkpoint from a cache of another shape")
        values.withUnsafeBufferPointer { values in
            guard let source = values.baseAddress else { return }
            (storage + sequence * floatsPerSequence).update(from: source, count: values.count)
        }
    }
}
