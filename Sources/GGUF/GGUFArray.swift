/// A metadata array, stored as a typed Swift array per element type.
///
/// Typed storage keeps a 150k-entry vocabulary as one `[String]` (not 150k enum
/// values) and remembers the element type of an empty array, so writing it back
/// reproduces the file. Nested arrays (`.arrays`) may mix element types, as GGUF allows.
public enum GGUFArray: Sendable, Equatable {
    case uint8s([UInt8])
    case int8s([Int8])
    case uint16s([UInt16])
    case int16s([Int16])
    case uint32s([UInt32])
    case int32s([Int32])
    case float32s([Float])
    case bools([Bool])
    case strings([String])
    case arrays([GGUFArray])
    case uint64s([UInt64])
    case int64s([Int64])
    case float64s([Double])

    /// The GGUF type tag of the elements.
    public var elementType: GGUFValueType {
        switch self {
        case .uint8s: .uint8
        case .int8s: .int8
        case .uint16s: .uint16
        case .int16s: .int16
        case .uint32s: .uint32
        case .int32s: .int32
        case .float32s: .float32
        case .bools: .bool
        case .strings: .string
        case .arrays: .array
        case .uint64s: .uint64
        case .int64s: .int64
        case .float64s: .float64
        }
    }

    /// The number of elements.
    public var count: Int {
        switch self {
        case .uint8s(let a): a.count
        case .int8s(let a): a.count
        case .uint16s(let a): a.count
        case .int16s(let a): a.count
        case .uint32s(let a): a.count
        case .int32s(let a): a.count
        case .float32s(let a): a.count
        case .bools(let a): a.count
        case .strings(let a): a.count
        case .arrays(let a): a.count
        case .uint64s(let a): a.count
        case .int64s(let a): a.count
        case .float64s(let a): a.count
        }
    }

    /// The type as error messages spell it: "array of int32".
    public var typeName: String { "array of \(elementType.name)" }

    /// The elements as `Int`s if they are integers of any width.
    ///
    /// - Returns: nil for non-integer elements; `.some(nil)` if a `uint64` exceeds `Int.max`.
    var exactIntegers: [Int]?? {
        switch self {
        case .uint8s(let a): a.map(Int.init)
        case .int8s(let a): a.map(Int.init)
        case .uint16s(let a): a.map(Int.init)
        case .int16s(let a): a.map(Int.init)
        case .uint32s(let a): a.map(Int.init)
        case .int32s(let a): a.map(Int.init)
        case .int64s(let a): a.map(Int.init)
        case .uint64s(let a):
            a.allSatisfy { $0 <= UInt64(Int.max) } ? .some(a.map { Int($0) }) : .some(nil)
        default: nil
        }
    }
}
