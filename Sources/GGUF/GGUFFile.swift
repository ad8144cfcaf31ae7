/// A parsed, validated GGUF file whose tensor data is read in place.
///
/// Opening maps the file read-only and parses only the header; tensor data stays in
/// the mapping and `bytes(of:)` hands out views into it, so a model loads without
/// copying its weights. Every tensor's range has been checked against the file.
///
/// ```swift
/// let file = try GGUFFile(contentsOf: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
/// let arch = try file.metadata.string("general.architecture")      // "qwen2"
/// if let embed = file.tensor(named: "token_embd.weight") {
///     let weights = file.bytes(of: embed)   // a view into the mapping: no copy
/// }
/// ```
public final class GGUFFile: @unchecked Sendable {
    // @unchecked Sendable is safe: every property is a `let` set in init, and the bytes
    // behind `storage` are never written (a PROT_READ mapping or a private copy), so
    // any number of threads may read them concurrently.

    /// The format version: 2 or 3.
    public let version: UInt32
    /// The key-value metadata.
    public let metadata: GGUFMetadata
    /// The tensor table, in file order.
    public let tensors: [GGUFTensorInfo]
    /// The data alignment: `general.alignment`, or 32.
    public let alignment: Int
    /// The absolute offset of the data section (the end of the header, padded).
    public let dataOffset: Int
    /// The file's size in bytes.
    public let fileSize: Int

    private let storage: MappedFile
    private let tensorIndex: [String: Int]

    /// Maps the file at `path` (read-only, private) and validates its header.
    ///
    /// - Throws: `GGUFError.cannotOpen` or `.isDirectory` if the path cannot be mapped,
    ///   otherwise the first problem found in the header or tensor table.
    public convenience init(contentsOf path: String) throws(GGUFError) {
        try self.init(storage: MappedFile(mapping: path))
    }

    /// Parses a GGUF image held in memory; the file keeps its own copy of `bytes`.
    ///
    /// For tests and fuzzing; any input either parses or throws.
    /// - Throws: the first problem found in the header or tensor table.
    public convenience init(bytes: [UInt8]) throws(GGUFError) {
        try self.init(storage: MappedFile(copying: bytes))
    }

    /// The same file (mapping, tensor table and offsets shared) with `metadata` in place of the
    /// file's own: for a caller that has turned large entries into its own form (a tokenizer its
    /// vocabulary) and need not keep the originals as long as the weights.
    public func replacingMetadata(_ metadata: GGUFMetadata) -> GGUFFile {
        GGUFFile(self, metadata: metadata)
    }

    private init(_ file: GGUFFile, metadata: GGUFMetadata) {
        storage = file.storage
        version = file.version
        self.metadata = metadata
        tensors = file.tensors
        alignment = file.alignment
        dataOffset = file.dataOffset
        fileSize = file.fileSize
        tensorIndex = file.tensorIndex
    }

    private init(storage: MappedFile) throws(GGUFError) {
        let header = try GGUFReader.parse(storage.bytes)
        self.storage = storage
        version = header.version
        metadata = header.metadata
        tensors = header.tensors
        alignment = header.alignment
        dataOffset = header.dataOffset
        fileSize = storage.bytes.count
        // Names are unique (the reader rejects duplicates), so this cannot trap.
        tensorIndex = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    /// The tensor named `name`, or nil.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The tensor's data, viewed in place: valid only while this `GGUFFile` is alive.
    ///
    /// `tensor` must come from this file's `tensors`.
    public func bytes(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        precondition(
            tensor.offset >= 0 && tensor.byteCount >= 0 && tensor.offset <= fileSize - tensor.byteCount,
            "tensor '\(tensor.name)' is not from this file")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[tensor.offset..<tensor.offset + tensor.byteCount])
    }
}
