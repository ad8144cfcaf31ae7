import GGUF

/// A parsed, validated `.safetensors` file whose tensor data is read in place.
///
/// The format: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [rows, columns], "data_offsets": [begin, end]}, …,
/// "__metadata__": {"key": "value"}}`), then the data section, which the offsets index.
/// Opening maps the file read-only and checks every entry against the file, so
/// `bytes(of:)` only hands out ranges that exist.
///
/// ```swift
/// let file = try SafetensorsFile(contentsOf: "model.safetensors")
/// if let embed = file.tensor(named: "model.embed_tokens.weight") {
///     let weights = file.bytes(of: embed)   // a view into the mapping: no copy
/// }
/// ```
public final class SafetensorsFile: @unchecked Sendable {
    // @unchecked Sendable: every property is a `let` set in init, and the mapped bytes are
    // never written, so any number of threads may read them.

    /// An element type safetensors defines.
    public enum DType: String, Sendable, CaseIterable {
        case bool = "BOOL", u8 = "U8", i8 = "I8", f8E5M2 = "F8_E5M2", f8E4M3 = "F8_E4M3", f8E8M0 = "F8_E8M0"
        case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
        case i32 = "I32", u32 = "U32", f32 = "F32"
        case i64 = "I64", u64 = "U64", f64 = "F64", c64 = "C64"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 1
            case .i16, .u16, .f16, .bf16: 2
            case .i32, .u32, .f32: 4
            case .i64, .u64, .f64, .c64: 8
            }
        }

        /// The ggml type of the same layout, for the float types Kinglet computes with; nil otherwise.
        public var computeType: GGMLType? {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .bf16: .bf16
            default: nil
            }
        }
    }

    /// One entry of the header.
    public struct Tensor: Sendable, Equatable {
        public let name: String
        public let dtype: DType
        /// Sizes in PyTorch order: the last is the contiguous one (GGUF's `dimensions` reversed).
        public let shape: [Int]
        /// Absolute byte offsets in the file.
        public let range: Range<Int>

        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Headers larger than this are refused, as the reference implementation does (`MAX_HEADER_SIZE`).
    public static let maxHeaderSize = 100_000_000

    /// The tensors, sorted by name.
    public let tensors: [Tensor]
    /// The header's `__metadata__` strings (transformers writes `{"format": "pt"}`).
    public let metadata: [String: String]
    /// The file's size in bytes.
    public var fileSize: Int { storage.bytes.count }

    private let storage: MappedFile
    private let index: [String: Int]

    /// Maps the file at `path` (read-only, private) and validates its header.
    ///
    /// - Throws: `SafetensorsError.cannotOpen` if the path cannot be mapped, otherwise the first
    ///   problem found in the header.
    public convenience init(contentsOf path: String) throws(SafetensorsError) {
        let storage: MappedFile
        do {
            storage = try MappedFile(mapping: path)
        } catch {
            switch error {
            case .cannotOpen(_, let reason): throw .cannotOpen(path: path, reason: reason)
            case .isDirectory: throw .cannotOpen(path: path, reason: "it is a directory")
            default: throw .cannotOpen(path: path, reason: error.description)
            }
        }
        try self.init(storage: storage)
    }

    /// Parses a safetensors image held in memory; the file keeps its own copy of `bytes`.
    ///
    /// For tests and fuzzing; any input either parses or throws.
    public convenience init(bytes: [UInt8]) throws(SafetensorsError) {
        try self.init(storage: MappedFile(copying: bytes))
    }

    private init(storage: MappedFile) throws(SafetensorsError) {
        let header = try Self.parseHeader(storage.bytes)
        self.storage = storage
        self.tensors = header.tensors
        self.metadata = header.metadata
        // Names are unique: they were keys of one JSON object.
        self.index = Dictionary(uniqueKeysWithValues: header.tensors.enumerated().map { ($1.name, $0) })
    }

    /// The tensor named `name`, or nil.
    public func tensor(named name: String) -> Tensor? {
        index[name].map { tensors[$0] }
    }

    /// The tensor's data, viewed in place: valid only while this file is alive.
    ///
    /// `tensor` must come from this file's `tensors`.
    public func bytes(of tensor: Tensor) -> UnsafeRawBufferPointer {
        precondition(tensor.range.lowerBound >= 0 && tensor.range.upperBound <= fileSize,
                     "tensor '\(tensor.name)' is not from this file")
        return UnsafeRawBufferPointer(rebasing: storage.bytes[tensor.range])
    }

    // MARK: Parsing

    private static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(SafetensorsError)
        -> (tensors: [Tensor], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw .truncated(fileSize: bytes.count) }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(min(maxHeaderSize, bytes.count - 8)) else {
            throw .headerOutOfBounds(length: length, fileSize: bytes.count)
        }
        let dataStart = 8 + Int(length)
        let json: JSONValue
        do {
            json = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch {
            throw .invalidHeader("not well-formed JSON")
        }
        guard let entries = json.object else { throw .invalidHeader("the JSON is \(json.kind), not an object") }

        var metadata: [String: String] = [:]
        var tensors: [Tensor] = []
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard let pairs = entry.object else { throw .invalidHeader("__metadata__ is \(entry.kind), not an object") }
                for (key, value) in pairs {
                    guard let text = value.string else {
                        throw .invalidHeader("__metadata__ value for '\(key)' is \(value.kind), not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            tensors.append(try tensor(name, entry, dataStart: dataStart, fileSize: bytes.count))
        }
        tensors.sort { $0.name < $1.name }
        try checkDisjoint(tensors)
        return (tensors, metadata)
    }

    /// One entry, checked on its own: fields, dtype, size against shape, range inside the data.
    private static func tensor(_ name: String, _ entry: JSONValue, dataStart: Int, fileSize: Int)
        throws(SafetensorsError) -> Tensor {
        guard let fields = entry.object else { throw .invalidEntry(tensor: name, reason: "it is \(entry.kind), not an object") }
        guard let dtypeName = fields["dtype"]?.string else {
            throw .invalidEntry(tensor: name, reason: "'dtype' is missing or not a string")
        }
        guard let dtype = DType(rawValue: dtypeName) else { throw .unknownDType(tensor: name, dtype: dtypeName) }
        guard let shapeValues = fields["shape"]?.array else {
            throw .invalidEntry(tensor: name, reason: "'shape' is missing or not an array")
        }
        var shape: [Int] = []
        for value in shapeValues {
            guard let size = value.integer, size >= 0 else {
                throw .invalidEntry(tensor: name, reason: "'shape' holds \(value.kind) that is not a size")
            }
            shape.append(size)
        }
        guard let offsets = fields["data_offsets"]?.array, offsets.count == 2,
              let begin = offsets[0].integer, let end = offsets[1].integer, begin >= 0, begin <= end
        else {
            throw .invalidEntry(tensor: name, reason: "'data_offsets' must be two offsets [begin, end] with begin ≤ end")
        }
        let dataSize = fileSize - dataStart
        guard end <= dataSize else { throw .outOfBounds(tensor: name, begin: begin, end: end, dataSize: dataSize) }
        var expected: Int? = shape.contains(0) ? 0 : dtype.size
        for size in shape where expected != 0 {
            guard let product = expected else { break }
            let (result, overflow) = product.multipliedReportingOverflow(by: size)
            expected = overflow ? nil : result
        }
        guard expected == end - begin else { throw .sizeMismatch(tensor: name, expected: expected, actual: end - begin) }
        return Tensor(name: name, dtype: dtype, shape: shape, range: (dataStart + begin)..<(dataStart + end))
    }

    /// No two tensors share a byte (empty tensors share nothing).
    private static func checkDisjoint(_ tensors: [Tensor]) throws(SafetensorsError) {
        let byStart = tensors.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(byStart, byStart.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw .overlap(previous.name, next.name)
        }
    }
}
