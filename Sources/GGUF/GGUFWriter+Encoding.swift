// Encoding of the header: the exact inverse of GGUFReader (little-endian throughout).
extension GGUFWriter {
    /// Everything before the data section, padded to the alignment.
    func headerBytes() -> [UInt8] {
        var output: [UInt8] = []
        output += GGUFReader.magic
        output.appendLittleEndian(version)
        output.appendLittleEndian(UInt64(tensors.count))
        output.appendLittleEndian(UInt64(metadata.count))
        for key in metadata.keys {
            output.appendGGUFString(key)
            // Keys come from `metadata.keys`, so the lookup always succeeds.
            output.appendGGUFValue(metadata[key]!)
        }
        for tensor in tensors {
            output.appendGGUFString(tensor.name)
            output.appendLittleEndian(UInt32(tensor.dimensions.count))
            for size in tensor.dimensions { output.appendLittleEndian(UInt64(size)) }
            output.appendLittleEndian(tensor.type.rawValue)
            output.appendLittleEndian(UInt64(tensor.relativeOffset))
        }
        output.appendPadding(alignment: alignment)
        return output
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendGGUFString(_ string: String) {
        appendLittleEndian(UInt64(string.utf8.count))
        append(contentsOf: string.utf8)
    }

    /// Zero bytes up to the next multiple of `alignment`.
    mutating func appendPadding(alignment: Int) {
        let padded = count.roundedUp(toMultipleOf: alignment).partialValue
        append(contentsOf: repeatElement(0, count: padded - count))
    }

    /// A type tag and the value.
    mutating func appendGGUFValue(_ value: GGUFValue) {
        appendLittleEndian(value.type.rawValue)
        switch value {
        case .uint8(let v): appendLittleEndian(v)
        case .int8(let v): appendLittleEndian(v)
        case .uint16(let v): appendLittleEndian(v)
        case .int16(let v): appendLittleEndian(v)
        case .uint32(let v): appendLittleEndian(v)
        case .int32(let v): appendLittleEndian(v)
        case .float32(let v): appendLittleEndian(v.bitPattern)
        case .bool(let v): append(v ? 1 : 0)
        case .string(let v): appendGGUFString(v)
        case .array(let v): appendGGUFArray(v)
        case .uint64(let v): appendLittleEndian(v)
        case .int64(let v): appendLittleEndian(v)
        case .float64(let v): appendLittleEndian(v.bitPattern)
        }
    }

    /// An element type tag, a u64 count, then the elements (nested arrays carry their own tags).
    mutating func appendGGUFArray(_ array: GGUFArray) {
        appendLittleEndian(array.elementType.rawValue)
        appendLittleEndian(UInt64(array.count))
        switch array {
        case .uint8s(let a): append(contentsOf: a)
        case .int8s(let a): for v in a { appendLittleEndian(v) }
        case .uint16s(let a): for v in a { appendLittleEndian(v) }
        case .int16s(let a): for v in a { appendLittleEndian(v) }
        case .uint32s(let a): for v in a { appendLittleEndian(v) }
        case .int32s(let a): for v in a { appendLittleEndian(v) }
        case .float32s(let a): for v in a { appendLittleEndian(v.bitPattern) }
        case .bools(let a): for v in a { append(v ? 1 : 0) }
        case .strings(let a): for v in a { appendGGUFString(v) }
        case .arrays(let a): for v in a { appendGGUFArray(v) }
        case .uint64s(let a): for v in a { appendLittleEndian(v) }
        case .int64s(let a): for v in a { appendLittleEndian(v) }
        case .float64s(let a): for v in a { appendLittleEndian(v.bitPattern) }
        }
    }
}
