/// One entry of a GGUF file's tensor table, with its offset resolved and its size checked.
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The tensor's name, e.g. "blk.0.attn_q.weight".
    public let name: String
    /// Sizes in GGUF (ggml) order: `dimensions[0]` is the innermost, contiguous axis
    /// (the row length, ggml's `ne[0]`). 1 to 4 entries, each at least 1.
    public let dimensions: [Int]
    /// The element type.
    public let type: GGMLType
    /// The absolute byte offset of the tensor's data in the file.
    public let offset: Int
    /// The size of the tensor's data in bytes.
    public let byteCount: Int

    /// The number of weights: the product of `dimensions`.
    public var elementCount: Int {
        // The reader and writer reject dimensions whose product overflows.
        dimensions.reduce(1, *)
    }

    init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }
}
