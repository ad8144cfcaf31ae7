/// Builds a GGUF file: metadata in insertion order, then tensors laid out back to back,
/// each padded to the alignment (as gguf-py and llama.cpp write them).
///
/// ```swift
/// var writer = GGUFWriter()
/// writer.set("general.architecture", .string("qwen2"))
/// writer.set("qwen2.block_count", .uint32(2))
/// try writer.addTensor(name: "output_norm.weight", type: .f32, dimensions: [64], bytes: norm)
/// let file = try GGUFFile(bytes: writer.serialized())
/// ```
public struct GGUFWriter: Sendable {
    /// A tensor waiting to be written, with its offset in the data section.
    struct PendingTensor: Sendable {
        var name: String
        var type: GGMLType
        var dimensions: [Int]
        var byteCount: Int
        /// The data, or how to make it when the file is written.
        var data: Data
        var relativeOffset: Int

        enum Data: Sendable {
            case bytes([UInt8])
            case deferred(@Sendable () -> [UInt8])
        }

        /// The tensor's bytes, made now if they were deferred.
        var bytes: [UInt8] {
            switch data {
            case .bytes(let bytes): return bytes
            case .deferred(let make):
                let bytes = make()
                precondition(bytes.count == byteCount, "tensor '\(name)' produced \(bytes.count) bytes, not \(byteCount)")
                return bytes
            }
        }
    }

    /// The data alignment.
    public let alignment: Int
    /// The format version written: 2 or 3 (their layouts are the same for little-endian files).
    public let version: UInt32

    private(set) var metadata = GGUFMetadata()
    private(set) var tensors: [PendingTensor] = []
    private var tensorNames = Set<String>()
    /// The data section's size so far, padded after each tensor.
    private var dataSize = 0

    /// Creates an empty writer.
    ///
    /// `alignment` must be a power of two that fits in a u32, and `version` 2 or 3;
    /// anything else is a programming error and traps.
    public init(alignment: Int = 32, version: UInt32 = 3) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0 && alignment <= Int(UInt32.max),
                     "GGUF alignment must be a power of two, got \(alignment)")
        precondition(version == 2 || version == 3, "GGUFWriter writes versions 2 and 3, not \(version)")
        self.alignment = alignment
        self.version = version
        if alignment != GGUFReader.defaultAlignment {
            metadata.set(GGUFReader.alignmentKey, .uint32(UInt32(alignment)))
        }
    }

    /// Stores a metadata value; a new key goes after the existing ones, a repeated key
    /// replaces the value in place.
    ///
    /// `general.alignment` is managed by the writer: setting it to anything but the
    /// writer's own alignment as a `uint32` traps.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        precondition(key != GGUFReader.alignmentKey || value == .uint32(UInt32(alignment)),
                     "set general.alignment through GGUFWriter(alignment:), not set(_:_:)")
        metadata.set(key, value)
    }

    /// Appends a tensor. `bytes` are its data, already in `type`'s block format.
    ///
    /// - Parameter dimensions: GGUF order, innermost (row length) first; 1 to 4 sizes,
    ///   each at least 1, the first a multiple of `type.blockSize`.
    /// - Throws: `duplicateTensor`, `badDimensions`, `rowNotBlockAligned`, or
    ///   `tensorSizeMismatch` when `bytes.count` is not what type and dimensions need.
    public mutating func addTensor(
        name: String, type: GGMLType, dimensions: [Int], bytes: [UInt8]
    ) throws(GGUFError) {
        try add(name: name, type: type, dimensions: dimensions, byteCount: bytes.count, data: .bytes(bytes))
    }

    /// Appends a tensor whose data is made only when the file is written, so a converter
    /// never holds more than one tensor's bytes at a time.
    ///
    /// `bytes` must return exactly `byteCount` bytes (a programming error otherwise, which traps).
    /// - Throws: as `addTensor(name:type:dimensions:bytes:)`, checking `byteCount`.
    public mutating func addTensor(
        name: String, type: GGMLType, dimensions: [Int], byteCount: Int, bytes: @escaping @Sendable () -> [UInt8]
    ) throws(GGUFError) {
        try add(name: name, type: type, dimensions: dimensions, byteCount: byteCount, data: .deferred(bytes))
    }

    private mutating func add(
        name: String, type: GGMLType, dimensions: [Int], byteCount: Int, data: PendingTensor.Data
    ) throws(GGUFError) {
        guard !tensorNames.contains(name) else { throw .duplicateTensor(name) }
        let raw = dimensions.map { UInt64(truncatingIfNeeded: $0) }
        guard (1...GGUFReader.maxDimensions).contains(dimensions.count),
              dimensions.allSatisfy({ $0 >= 1 }),
              GGUFReader.checkedDimensions(raw) != nil
        else { throw .badDimensions(tensor: name, dimensions: raw) }
        guard dimensions[0] % type.blockSize == 0 else {
            throw .rowNotBlockAligned(tensor: name, rowLength: dimensions[0], type: type)
        }
        guard let expected = type.byteCount(elements: dimensions.reduce(1, *)) else {
            throw .badDimensions(tensor: name, dimensions: raw)
        }
        guard byteCount == expected else {
            throw .tensorSizeMismatch(tensor: name, expected: expected, actual: byteCount)
        }
        tensorNames.insert(name)
        tensors.append(PendingTensor(
            name: name, type: type, dimensions: dimensions, byteCount: byteCount, data: data, relativeOffset: dataSize))
        dataSize = (dataSize + byteCount).roundedUp(toMultipleOf: alignment).partialValue
    }

    /// The complete file image.
    public func serialized() -> [UInt8] {
        var output = headerBytes()
        output.reserveCapacity(output.count + dataSize)
        for tensor in tensors {
            output += tensor.bytes
            output.appendPadding(alignment: alignment)
        }
        return output
    }
}
