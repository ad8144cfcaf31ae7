import GGUF

/// Why a `.safetensors` file could not be read. Each description is one line that names the
/// tensor or offset involved.
public enum SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or mapped; `reason` is the system's message.
    case cannotOpen(path: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case truncated(fileSize: Int)
    /// The header length (bytes 0–7) points past the end of the file, or over the 100 MB
    /// limit the reference implementation sets.
    case headerOutOfBounds(length: UInt64, fileSize: Int)
    /// The header is not a JSON object of tensor entries.
    case invalidHeader(String)
    /// A tensor entry lacks a field or has one of the wrong kind.
    case invalidEntry(tensor: String, reason: String)
    /// A tensor's dtype is not one safetensors defines.
    case unknownDType(tensor: String, dtype: String)
    /// `data_offsets` do not span exactly `shape` × dtype size bytes (or the product overflows).
    case sizeMismatch(tensor: String, expected: Int?, actual: Int)
    /// A tensor's byte range runs past the end of the data section.
    case outOfBounds(tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors' byte ranges overlap.
    case overlap(String, String)

    public var description: String {
        let text: String
        switch self {
        case .cannotOpen(let path, let reason):
            text = "cannot open safetensors file \(path): \(reason)"
        case .truncated(let fileSize):
            text = "safetensors file is truncated: \(fileSize) bytes, too short for the 8-byte header length"
        case .headerOutOfBounds(let length, let fileSize):
            text = "safetensors header length \(length) does not fit the file (\(fileSize) bytes) "
                + "or the 100 MB limit; the file is truncated or not safetensors"
        case .invalidHeader(let reason):
            text = "safetensors header is not valid: \(reason)"
        case .invalidEntry(let tensor, let reason):
            text = "safetensors entry for tensor '\(tensor)' is not valid: \(reason)"
        case .unknownDType(let tensor, let dtype):
            text = "tensor '\(tensor)' has dtype '\(dtype)', which safetensors does not define"
        case .sizeMismatch(let tensor, let expected, let actual):
            let needed = expected.map { "\($0) bytes" } ?? "more bytes than fit in memory"
            text = "tensor '\(tensor)' spans \(actual) bytes but its shape and dtype need \(needed); the file is corrupt"
        case .outOfBounds(let tensor, let begin, let end, let dataSize):
            text = "tensor '\(tensor)' (bytes \(begin)..<\(end)) runs past the data section (\(dataSize) bytes); "
                + "the file may be truncated"
        case .overlap(let first, let second):
            text = "safetensors file is corrupt: the data of tensors '\(first)' and '\(second)' overlap"
        }
        return GGUFError.singleLine(text)
    }
}
