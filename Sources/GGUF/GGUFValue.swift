/// One metadata value, tagged with its GGUF type so a file round-trips exactly.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array(GGUFArray)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The value's GGUF type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .array: .array
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        }
    }

    /// The type as error messages spell it: "uint32", "array of string".
    public var typeName: String {
        if case .array(let array) = self { return array.typeName }
        return type.name
    }

    /// The value as an `Int` if it is an integer of any width (`Bool` deliberately is not).
    ///
    /// - Returns: nil for a non-integer; `.some(nil)` for a `uint64` above `Int.max`.
    var exactInteger: Int?? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): .some(Int(exactly: v))
        case .int64(let v): Int(v)
        default: nil
        }
    }
}
