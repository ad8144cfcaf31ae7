/// Everything that can go wrong reading, querying or writing a GGUF file.
///
/// Cases that come from the file's bytes carry the byte offset where the problem is,
/// so a bad file can be inspected with a hex dump. `description` is one line for a user.
public enum GGUFError: Error, Sendable, Equatable {
    // MARK: Opening and writing
    /// The file could not be opened or mapped; `reason` is the system's message.
    case cannotOpen(path: String, reason: String)
    /// The path names a directory.
    case isDirectory(path: String)
    /// Writing failed; no file was left at `path`.
    case writeFailed(path: String, reason: String)

    // MARK: Header structure
    /// `needed` bytes were needed at offset `at`, past the end of the file.
    case truncated(at: Int, needed: Int)
    /// The first four bytes are not "GGUF".
    case badMagic(found: [UInt8])
    /// Only versions 2 and 3 are supported (v1 used 32-bit counts).
    case unsupportedVersion(UInt32)
    /// A count (of tensors, key-value pairs or array elements) at offset `at` needs more
    /// bytes than the whole file has.
    case absurdCount(what: String, count: UInt64, at: Int)
    /// A string length at offset `at` is longer than the whole file.
    case stringTooLong(length: UInt64, at: Int)
    /// The string whose length is at offset `at` is not valid UTF-8.
    case invalidUTF8(at: Int)
    /// A value type tag at offset `at` is not one GGUF defines.
    case unknownValueType(UInt32, at: Int)
    /// Arrays nest deeper than the reader allows (`GGUFReader.maxArrayDepth`).
    case nestingTooDeep(at: Int)
    /// `general.alignment` is zero or not a power of two.
    case badAlignment(Int)
    /// A metadata key appears twice.
    case duplicateKey(String)

    // MARK: Tensor table
    /// A tensor's type id is not a ggml type.
    case unknownTensorType(UInt32, tensor: String)
    /// A tensor needs 1 to 4 dimensions, each at least 1, whose product fits in `Int`.
    case badDimensions(tensor: String, dimensions: [UInt64])
    /// A quantized tensor's row length (`dimensions[0]`) is not a whole number of blocks.
    case rowNotBlockAligned(tensor: String, rowLength: Int, type: GGMLType)
    /// A tensor name appears twice.
    case duplicateTensor(String)
    /// A tensor's data (absolute `offset`, `size` bytes) runs past the end of the file.
    case tensorOutOfBounds(tensor: String, offset: UInt64, size: Int, fileSize: Int)
    /// A tensor's data offset (relative to the data section) is not a multiple of the alignment.
    case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
    /// Two tensors' data ranges overlap.
    case tensorsOverlap(String, String)
    /// `GGUFWriter.addTensor` was given a byte count that does not match type and dimensions.
    case tensorSizeMismatch(tensor: String, expected: Int, actual: Int)

    // MARK: Metadata lookups
    /// A required metadata key is absent.
    case missingKey(String)
    /// A metadata key holds a different type than the caller needs.
    case typeMismatch(key: String, expected: String, found: String)
    /// An integer under `key` does not fit in `Int` (a `uint64` above `Int.max`).
    case valueOutOfRange(key: String)
}
