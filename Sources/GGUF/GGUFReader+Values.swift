// Metadata values: a u32 type tag, then the value. Arrays carry their element type and
// a u64 count, and their elements are read in bulk straight from the buffer, which keeps
// a 150k-string vocabulary to one `[String]` with one allocation per string.
extension GGUFReader {
    mutating func readValue(depth: Int) throws(GGUFError) -> GGUFValue {
        let type = try readValueType()
        switch type {
        case .uint8: return .uint8(try cursor.read(UInt8.self))
        case .int8: return .int8(try cursor.read(Int8.self))
        case .uint16: return .uint16(try cursor.read(UInt16.self))
        case .int16: return .int16(try cursor.read(Int16.self))
        case .uint32: return .uint32(try cursor.read(UInt32.self))
        case .int32: return .int32(try cursor.read(Int32.self))
        case .float32: return .float32(try cursor.readFloat32())
        case .bool: return .bool(try cursor.readBool())
        case .string: return .string(try cursor.readString())
        case .array: return .array(try readArray(depth: depth + 1))
        case .uint64: return .uint64(try cursor.read(UInt64.self))
        case .int64: return .int64(try cursor.read(Int64.self))
        case .float64: return .float64(try cursor.readFloat64())
        }
    }

    private mutating func readValueType() throws(GGUFError) -> GGUFValueType {
        let start = cursor.offset
        let raw = try cursor.read(UInt32.self)
        guard let type = GGUFValueType(rawValue: raw) else { throw .unknownValueType(raw, at: start) }
        return type
    }

    /// Reads an array's element type, count and elements; `depth` is 1 for a top-level array.
    private mutating func readArray(depth: Int) throws(GGUFError) -> GGUFArray {
        let start = cursor.offset
        guard depth <= Self.maxArrayDepth else { throw .nestingTooDeep(at: start) }
        let type = try readValueType()
        let count = try cursor.readCount(of: "array element", minimumSize: type.minimumEncodedSize)
        switch type {
        case .uint8: return .uint8s(try cursor.readArray(of: UInt8.self, count: count))
        case .int8: return .int8s(try cursor.readArray(of: Int8.self, count: count))
        case .uint16: return .uint16s(try cursor.readArray(of: UInt16.self, count: count))
        case .int16: return .int16s(try cursor.readArray(of: Int16.self, count: count))
        case .uint32: return .uint32s(try cursor.readArray(of: UInt32.self, count: count))
        case .int32: return .int32s(try cursor.readArray(of: Int32.self, count: count))
        case .uint64: return .uint64s(try cursor.readArray(of: UInt64.self, count: count))
        case .int64: return .int64s(try cursor.readArray(of: Int64.self, count: count))
        case .float32:
            return .float32s(try cursor.readArray(count: count, elementSize: 4) {
                Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt32.self)))
            })
        case .float64:
            return .float64s(try cursor.readArray(count: count, elementSize: 8) {
                Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: UInt64.self)))
            })
        case .bool:
            return .bools(try cursor.readArray(count: count, elementSize: 1) {
                $0.load(fromByteOffset: $1, as: UInt8.self) != 0
            })
        case .string:
            var strings: [String] = []
            strings.reserveCapacity(count)
            for _ in 0..<count { strings.append(try cursor.readString()) }
            return .strings(strings)
        case .array:
            var arrays: [GGUFArray] = []
            for _ in 0..<count { arrays.append(try readArray(depth: depth + 1)) }
            return .arrays(arrays)
        }
    }
}
