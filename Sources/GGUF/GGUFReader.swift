/// Parses and validates a GGUF header (ggml `docs/gguf.md`, versions 2 and 3).
///
/// Layout, little-endian: magic "GGUF", version u32, tensor count u64, key-value count
/// u64, the key-value pairs, the tensor infos, padding to `general.alignment`, then the
/// data section. Every length and count is checked against the buffer before it is
/// used, and all arithmetic on file values is overflow-checked, so any input either
/// parses or throws `GGUFError`; nothing traps.
struct GGUFReader {
    /// The deepest array nesting accepted; real files use at most 2 (merges as strings).
    static let maxArrayDepth = 16
    /// ggml's `GGUF_DEFAULT_ALIGNMENT`, used when `general.alignment` is absent.
    static let defaultAlignment = 32
    static let alignmentKey = "general.alignment"
    static let magic: [UInt8] = Array("GGUF".utf8)

    /// The result of a successful parse.
    struct Header {
        var version: UInt32
        var metadata: GGUFMetadata
        var tensors: [GGUFTensorInfo]
        var alignment: Int
        var dataOffset: Int
    }

    var cursor: ByteCursor

    init(_ bytes: UnsafeRawBufferPointer) {
        cursor = ByteCursor(bytes)
    }

    /// Parses the header of `bytes` and checks every tensor's data range against it.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) -> Header {
        var reader = GGUFReader(bytes)
        return try reader.parseHeader()
    }

    private mutating func parseHeader() throws(GGUFError) -> Header {
        let magic = try cursor.readBytes(min(4, cursor.remaining))
        guard magic == Self.magic else {
            // A 0–3 byte file is a truncated one only if what is there matches.
            if magic.count < 4, Self.magic.starts(with: magic) {
                throw .truncated(at: magic.count, needed: 4 - magic.count)
            }
            throw .badMagic(found: magic)
        }
        let version = try cursor.read(UInt32.self)
        guard version == 2 || version == 3 else { throw .unsupportedVersion(version) }

        // Smallest possible tensor info: empty name (8), n_dims (4), type (4), offset (8).
        let tensorCount = try cursor.readCount(of: "tensor", minimumSize: 24)
        // Smallest possible pair: empty key (8), type (4), a one-byte value.
        let kvCount = try cursor.readCount(of: "key-value pair", minimumSize: 13)

        let metadata = try readMetadata(count: kvCount)
        let alignment = try Self.alignment(in: metadata)
        let entries = try readTensorEntries(count: tensorCount)

        let (dataOffset, overflow) = cursor.offset.roundedUp(toMultipleOf: alignment)
        // The header is shorter than the buffer, so this cannot overflow in practice.
        guard !overflow else { throw .truncated(at: cursor.offset, needed: alignment) }
        let tensors = try Self.resolve(
            entries, dataOffset: dataOffset, alignment: alignment, fileSize: cursor.bytes.count)
        return Header(
            version: version, metadata: metadata, tensors: tensors,
            alignment: alignment, dataOffset: dataOffset)
    }

    private mutating func readMetadata(count: Int) throws(GGUFError) -> GGUFMetadata {
        var metadata = GGUFMetadata()
        for _ in 0..<count {
            let key = try cursor.readString()
            let value = try readValue(depth: 0)
            guard metadata.insertNew(key, value) else { throw .duplicateKey(key) }
        }
        return metadata
    }

    /// `general.alignment` if present (it must be a u32 power of two), else the default.
    static func alignment(in metadata: GGUFMetadata) throws(GGUFError) -> Int {
        guard let value = metadata[alignmentKey] else { return defaultAlignment }
        guard case .uint32(let raw) = value else {
            throw .typeMismatch(key: alignmentKey, expected: "uint32", found: value.typeName)
        }
        let alignment = Int(raw)
        guard alignment > 0, alignment & (alignment - 1) == 0 else { throw .badAlignment(alignment) }
        return alignment
    }
}

extension Int {
    /// `self` rounded up to a multiple of `alignment` (a power of two), reporting overflow.
    func roundedUp(toMultipleOf alignment: Int) -> (partialValue: Int, overflow: Bool) {
        let (sum, overflow) = addingReportingOverflow(alignment - 1)
        return (sum & ~(alignment - 1), overflow)
    }
}
