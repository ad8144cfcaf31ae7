// Hand-assembled GGUF bytes, for files the writer refuses to produce (malformed on purpose).
@testable import GGUF

/// A little-endian byte builder with GGUF's encodings.
struct RawGGUF {
    var bytes: [UInt8] = []

    /// Starts a file: magic, version, tensor count and key-value count.
    init(version: UInt32 = 3, tensorCount: UInt64 = 0, kvCount: UInt64 = 0, magic: String = "GGUF") {
        bytes += Array(magic.utf8)
        u32(version)
        u64(tensorCount)
        u64(kvCount)
    }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { bytes.appendLittleEndian(value) }
    mutating func u64(_ value: UInt64) { bytes.appendLittleEndian(value) }

    /// A GGUF string from raw bytes (which need not be UTF-8).
    mutating func string(bytes raw: [UInt8]) {
        u64(UInt64(raw.count))
        bytes += raw
    }

    mutating func string(_ string: String) { self.string(bytes: Array(string.utf8)) }

    /// A key and a typed value.
    mutating func kv(_ key: String, _ value: GGUFValue) {
        string(key)
        bytes.appendGGUFValue(value)
    }

    /// A tensor info; `type` and `dims` are raw so they can be invalid.
    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32 = 0, offset: UInt64 = 0) {
        string(name)
        u32(UInt32(dims.count))
        for size in dims { u64(size) }
        u32(type)
        u64(offset)
    }

    /// Zero padding to `alignment`, then `dataSize` bytes of data.
    mutating func data(_ dataSize: Int, alignment: Int = 32) {
        bytes.appendPadding(alignment: alignment)
        bytes += [UInt8](repeating: 0xAB, count: dataSize)
    }
}

/// The error parsing `bytes` throws, or nil if they parse.
func parseError(_ bytes: [UInt8]) -> GGUFError? {
    do {
        _ = try GGUFFile(bytes: bytes)
        return nil
    } catch {
        return error
    }
}
