/// A little-endian reader over untrusted bytes.
///
/// `read…` methods advance the cursor; each checks the remaining length first and
/// throws `GGUFError.truncated` instead of trapping (swift-nio's `readInteger` naming).
/// Lengths read from the file are compared with the buffer's size before anything is
/// allocated, so a corrupt length costs nothing.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    /// Throws `.truncated` unless `count` more bytes are available.
    func require(_ count: Int) throws(GGUFError) {
        guard count <= remaining else { throw .truncated(at: offset, needed: count) }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func readFloat32() throws(GGUFError) -> Float {
        Float(bitPattern: try read(UInt32.self))
    }

    mutating func readFloat64() throws(GGUFError) -> Double {
        Double(bitPattern: try read(UInt64.self))
    }

    mutating func readBool() throws(GGUFError) -> Bool {
        // gguf-py and ggml write 0 or 1; any nonzero byte reads as true, as in C.
        try read(UInt8.self) != 0
    }

    mutating func readBytes(_ count: Int) throws(GGUFError) -> [UInt8] {
        try require(count)
        let slice = bytes[offset..<offset + count]
        offset += count
        return Array(slice)
    }

    /// Reads a GGUF string: a u64 byte length, then that many bytes of UTF-8.
    mutating func readString() throws(GGUFError) -> String {
        let start = offset
        let length = try read(UInt64.self)
        // A length beyond the whole buffer is corruption, not truncation.
        guard length <= UInt64(bytes.count) else { throw .stringTooLong(length: length, at: start) }
        let count = Int(length)
        try require(count)
        guard count > 0 else { return "" }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        guard let string = String(validating: raw.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else {
            throw .invalidUTF8(at: start)
        }
        offset += count
        return string
    }

    /// Reads a u64 element count and checks that `count` elements of at least
    /// `minimumSize` bytes each could fit in the buffer at all.
    mutating func readCount(of what: String, minimumSize: Int) throws(GGUFError) -> Int {
        let start = offset
        let count = try read(UInt64.self)
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: UInt64(minimumSize))
        guard !overflow, bytesNeeded <= UInt64(bytes.count) else {
            throw .absurdCount(what: what, count: count, at: start)
        }
        return Int(count)
    }

    /// Reads `count` fixed-size little-endian integers straight from the buffer.
    mutating func readArray<T: FixedWidthInteger>(of _: T.Type, count: Int) throws(GGUFError) -> [T] {
        try readArray(count: count, elementSize: MemoryLayout<T>.size) {
            T(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: T.self))
        }
    }

    /// Reads `count` elements of `size` bytes each, converting each with
    /// `element(base, byteOffset)`.
    mutating func readArray<T>(
        count: Int, elementSize size: Int, element: (UnsafeRawPointer, Int) -> T
    ) throws(GGUFError) -> [T] {
        // Callers bounded `count` by the buffer size (`readCount`), so this cannot overflow.
        try require(count * size)
        guard count > 0, let base = bytes.baseAddress.map({ $0 + offset }) else { return [] }
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress! + index).initialize(to: element(base, index * size))
            }
            initialized = count
        }
        offset += count * size
        return result
    }
}
