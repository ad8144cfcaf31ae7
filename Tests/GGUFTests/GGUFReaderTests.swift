// Pins down that each kind of malformed header fails with its own typed error, at the right offset.
import Testing
@testable import GGUF

@Suite struct GGUFReaderTests {
    // MARK: File start

    @Test func magicAndVersion() {
        #expect(parseError([]) == .truncated(at: 0, needed: 4))
        #expect(parseError(Array("GG".utf8)) == .truncated(at: 2, needed: 2))
        #expect(parseError(Array("GX".utf8)) == .badMagic(found: Array("GX".utf8)))
        #expect(parseError(RawGGUF(magic: "GGML").bytes) == .badMagic(found: Array("GGML".utf8)))
        #expect(parseError(RawGGUF(version: 1).bytes) == .unsupportedVersion(1))
        #expect(parseError(RawGGUF(version: 99).bytes) == .unsupportedVersion(99))
        #expect(parseError(Array(RawGGUF().bytes.prefix(20))) == .truncated(at: 16, needed: 8))
        #expect(parseError(RawGGUF(version: 2).bytes) == nil)
    }

    @Test func emptyFileWithoutPaddingParses() throws {
        let file = try GGUFFile(bytes: RawGGUF().bytes)
        #expect(file.tensors.isEmpty && file.metadata.count == 0)
        #expect(file.dataOffset == 32 && file.fileSize == 24)
    }

    @Test func absurdCounts() {
        #expect(parseError(RawGGUF(tensorCount: 1 << 60).bytes) == .absurdCount(what: "tensor", count: 1 << 60, at: 8))
        #expect(parseError(RawGGUF(tensorCount: .max).bytes) == .absurdCount(what: "tensor", count: .max, at: 8))
        #expect(parseError(RawGGUF(kvCount: 1 << 40).bytes) == .absurdCount(what: "key-value pair", count: 1 << 40, at: 16))

        for elementType in GGUFValueType.allCases {
            var raw = RawGGUF(kvCount: 1)
            raw.string("a")          // key at 24...32
            raw.u32(GGUFValueType.array.rawValue)
            raw.u32(elementType.rawValue)
            raw.u64(1 << 40)         // count at 41
            #expect(parseError(raw.bytes) == .absurdCount(what: "array element", count: 1 << 40, at: 41))
        }
    }

    @Test func stringLengths() {
        var key = RawGGUF(kvCount: 1)
        key.u64(1 << 62)
        #expect(parseError(key.bytes) == .stringTooLong(length: 1 << 62, at: 24))

        var value = RawGGUF(kvCount: 1)
        value.string("k")
        value.u32(GGUFValueType.string.rawValue)
        value.u64(.max)
        #expect(parseError(value.bytes) == .stringTooLong(length: .max, at: 37))

        // A length the file could hold, but not after this point: truncation.
        var short = RawGGUF(kvCount: 1)
        short.u64(20)
        short.bytes += Array("abc".utf8)
        #expect(parseError(short.bytes) == .truncated(at: 32, needed: 20))
    }

    @Test(arguments: [
        [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xE2, 0x82], [0xF0, 0x90, 0x80, 0x41], [0xF4, 0x90, 0x80, 0x80],
    ] as [[UInt8]])
    func invalidUTF8IsRejectedEverywhere(bad: [UInt8]) {
        var key = RawGGUF(kvCount: 1)
        key.string(bytes: Array("ok".utf8) + bad)
        key.kv("", .uint8(0))
        #expect(parseError(key.bytes) == .invalidUTF8(at: 24))

        var value = RawGGUF(kvCount: 1)
        value.string("k")
        value.u32(GGUFValueType.string.rawValue)
        value.string(bytes: bad)
        #expect(parseError(value.bytes) == .invalidUTF8(at: 37))

        var element = RawGGUF(kvCount: 1)
        element.string("k")
        element.u32(GGUFValueType.array.rawValue)
        element.u32(GGUFValueType.string.rawValue)
        element.u64(2)
        element.string("fine")
        element.string(bytes: bad)
        #expect(parseError(element.bytes) == .invalidUTF8(at: 61))

        var tensor = RawGGUF(tensorCount: 1)
        tensor.string(bytes: bad)
        #expect(parseError(tensor.bytes) == .invalidUTF8(at: 24))
    }

    @Test func unknownValueTypes() {
        var scalar = RawGGUF(kvCount: 1)
        scalar.string("k")
        scalar.u32(13)
        scalar.u64(0)
        #expect(parseError(scalar.bytes) == .unknownValueType(13, at: 33))

        var element = RawGGUF(kvCount: 1)
        element.string("k")
        element.u32(GGUFValueType.array.rawValue)
        element.u32(0xFFFF_FFFF)
        element.u64(0)
        #expect(parseError(element.bytes) == .unknownValueType(0xFFFF_FFFF, at: 37))
    }

    @Test func arrayNestingIsLimited() throws {
        func nested(depth: Int) -> [UInt8] {
            var raw = RawGGUF(kvCount: 1)
            raw.string("k")
            raw.u32(GGUFValueType.array.rawValue)
            for _ in 1..<depth {
                raw.u32(GGUFValueType.array.rawValue)
                raw.u64(1)
            }
            raw.u32(GGUFValueType.uint8.rawValue)
            raw.u64(0)
            return raw.bytes
        }
        let deepest = try GGUFFile(bytes: nested(depth: GGUFReader.maxArrayDepth))
        var value = try #require(deepest.metadata["k"])
        var depth = 0
        while case .array(let array) = value {
            depth += 1
            if case .arrays(let inner) = array { value = .array(inner[0]) } else { break }
        }
        #expect(depth == GGUFReader.maxArrayDepth)
        // The 17th array header starts after 16 (type, count) pairs: 37 + 16 * 12.
        #expect(parseError(nested(depth: GGUFReader.maxArrayDepth + 1)) == .nestingTooDeep(at: 37 + 16 * 12))
    }

    @Test func duplicates() {
        var keys = RawGGUF(kvCount: 2)
        keys.kv("k", .uint8(1))
        keys.kv("k", .string("again"))
        #expect(parseError(keys.bytes) == .duplicateKey("k"))

        var tensors = RawGGUF(tensorCount: 2)
        tensors.tensor("t", dims: [1], offset: 0)
        tensors.tensor("t", dims: [1], offset: 32)
        tensors.data(64)
        #expect(parseError(tensors.bytes) == .duplicateTensor("t"))
    }

    @Test func alignmentKey() {
        func file(_ value: GGUFValue) -> [UInt8] {
            var raw = RawGGUF(kvCount: 1)
            raw.kv("general.alignment", value)
            return raw.bytes
        }
        #expect(parseError(file(.uint32(0))) == .badAlignment(0))
        #expect(parseError(file(.uint32(48))) == .badAlignment(48))
        #expect(parseError(file(.uint32(1 << 31))) == nil)
        #expect(parseError(file(.uint64(64))) == .typeMismatch(key: "general.alignment", expected: "uint32", found: "uint64"))
        #expect(parseError(file(.uint32(1))) == nil)
    }

    // MARK: Tensor table

    @Test func tensorDimensions() {
        func error(dims: [UInt64], type: GGMLType = .f32) -> GGUFError? {
            var raw = RawGGUF(tensorCount: 1)
            raw.tensor("t", dims: dims, type: type.rawValue)
            raw.data(4096)
            return parseError(raw.bytes)
        }
        #expect(error(dims: []) == .badDimensions(tensor: "t", dimensions: []))
        #expect(error(dims: [1, 1, 1, 1, 1]) == .badDimensions(tensor: "t", dimensions: [1, 1, 1, 1, 1]))
        #expect(error(dims: [4, 0]) == .badDimensions(tensor: "t", dimensions: [4, 0]))
        #expect(error(dims: [.max]) == .badDimensions(tensor: "t", dimensions: [.max]))
        #expect(error(dims: [1 << 32, 1 << 32]) == .badDimensions(tensor: "t", dimensions: [1 << 32, 1 << 32]))
        // Elements fit in Int, bytes do not.
        #expect(error(dims: [1 << 61, 2]) == .badDimensions(tensor: "t", dimensions: [1 << 61, 2]))
        #expect(error(dims: [1 << 61]) == .badDimensions(tensor: "t", dimensions: [1 << 61]))
        #expect(error(dims: [32, 2], type: .q4_0) == nil)
        #expect(error(dims: [2, 32], type: .q4_0) == .rowNotBlockAligned(tensor: "t", rowLength: 2, type: .q4_0))
        #expect(error(dims: [1, 1, 1, 1]) == nil)

        var huge = RawGGUF(tensorCount: 1)
        huge.string("t")
        huge.u32(.max)
        #expect(parseError(huge.bytes) == .badDimensions(tensor: "t", dimensions: []))
    }

    @Test func unknownTensorTypes() {
        for type: UInt32 in [4, 5, 31, 33, 36, 38, 42, .max] {
            var raw = RawGGUF(tensorCount: 1)
            raw.tensor("t", dims: [32], type: type)
            raw.data(4096)
            #expect(parseError(raw.bytes) == .unknownTensorType(type, tensor: "t"))
        }
    }

    @Test func tensorOffsets() throws {
        func error(_ tensors: [(String, UInt64)], alignment: UInt32? = nil, data: Int = 64) -> GGUFError? {
            var raw = RawGGUF(tensorCount: UInt64(tensors.count), kvCount: alignment == nil ? 0 : 1)
            if let alignment { raw.kv("general.alignment", .uint32(alignment)) }
            for (name, offset) in tensors { raw.tensor(name, dims: [8], offset: offset) }  // 32 bytes of F32
            raw.data(data, alignment: Int(alignment ?? 32))
            return parseError(raw.bytes)
        }
        #expect(error([("a", 0), ("b", 32)]) == nil)
        #expect(error([("a", 0), ("b", 32)], data: 63) != nil)
        #expect(error([("a", 16)]) == .misalignedTensor(tensor: "a", offset: 16, alignment: 32))
        #expect(error([("a", 16)], alignment: 16) == nil)
        #expect(error([("a", 0), ("b", 0)]) == .tensorsOverlap("a", "b"))
        #expect(error([("b", 32), ("a", 0), ("c", 16)], alignment: 16) == .tensorsOverlap("a", "c"))

        // Header: 24 + one tensor info (8 + 1 + 4 + 8 + 4 + 8 = 33) = 57, data at 64.
        #expect(error([("a", 64)]) == .tensorOutOfBounds(tensor: "a", offset: 128, size: 32, fileSize: 128))
        #expect(error([("a", 1 << 62)]) == .tensorOutOfBounds(tensor: "a", offset: 64 + (1 << 62), size: 32, fileSize: 128))
        #expect(error([("a", .max - 31)]) == .tensorOutOfBounds(tensor: "a", offset: .max, size: 32, fileSize: 128))
        #expect(error([("a", 1 << 63)]) == .tensorOutOfBounds(tensor: "a", offset: 64 + (1 << 63), size: 32, fileSize: 128))
    }

    @Test func tensorMayEndExactlyAtEndOfFile() throws {
        var raw = RawGGUF(tensorCount: 1)
        raw.tensor("t", dims: [3], type: GGMLType.f16.rawValue)
        raw.data(6)
        let file = try GGUFFile(bytes: raw.bytes)
        #expect(file.tensors[0].offset == 64 && file.tensors[0].byteCount == 6 && file.fileSize == 70)
    }

    // MARK: Truncation

    @Test(arguments: [32, 64])
    func everyTruncationThrowsATypedError(alignment: Int) throws {
        let full = try SampleFiles.small(alignment: alignment)
        let file = try GGUFFile(bytes: full)
        let lastTensor = try #require(file.tensors.max { $0.offset < $1.offset })
        let dataEnd = lastTensor.offset + lastTensor.byteCount

        var truncatedCount = 0
        var firstOutOfBounds: Int?
        for length in 0..<full.count {
            let error = parseError(Array(full.prefix(length)))
            switch error {
            case nil:
                #expect(length >= dataEnd, "prefix \(length) parsed")
            case .truncated(let at, let needed)?:
                #expect(at <= length && at + needed > length, "prefix \(length): \(error!)")
                #expect(firstOutOfBounds == nil)
                truncatedCount += 1
            case .absurdCount?, .stringTooLong?:
                #expect(firstOutOfBounds == nil)
            case .tensorOutOfBounds?:
                firstOutOfBounds = firstOutOfBounds ?? length
            default:
                Issue.record("prefix \(length): unexpected \(error!)")
            }
        }
        let boundary = try #require(firstOutOfBounds)
        #expect(boundary <= file.dataOffset && boundary > file.dataOffset - alignment)
        #expect(truncatedCount > boundary / 2)
    }
}
