// Typed accessors. Each optional accessor does the type check; the required one adds
// the presence check, so both agree on which types a key may hold.
extension GGUFMetadata {
    /// The string under `key`.
    /// - Throws: `missingKey`, or `typeMismatch` unless the value is a string.
    public func string(_ key: String) throws(GGUFError) -> String {
        try required(key, optionalString(key))
    }

    /// The integer under `key`, of any integer type (not `bool`).
    /// - Throws: `missingKey`, `typeMismatch`, or `valueOutOfRange` for a `uint64` above `Int.max`.
    public func integer(_ key: String) throws(GGUFError) -> Int {
        try required(key, optionalInteger(key))
    }

    /// The number under `key`: a `float32`, a `float64` (rounded), or any integer.
    /// - Throws: `missingKey` or `typeMismatch`.
    public func float(_ key: String) throws(GGUFError) -> Float {
        try required(key, optionalFloat(key))
    }

    /// The bool under `key`.
    /// - Throws: `missingKey` or `typeMismatch`.
    public func bool(_ key: String) throws(GGUFError) -> Bool {
        try required(key, optionalBool(key))
    }

    /// The array of strings under `key`.
    /// - Throws: `missingKey` or `typeMismatch`.
    public func strings(_ key: String) throws(GGUFError) -> [String] {
        try required(key, optionalStrings(key))
    }

    /// The array under `key` as `Int`s; the elements may be any integer type.
    /// - Throws: `missingKey`, `typeMismatch`, or `valueOutOfRange`.
    public func integers(_ key: String) throws(GGUFError) -> [Int] {
        try required(key, optionalIntegers(key))
    }

    /// The array under `key` as `Float`s; the elements may be floats or integers.
    /// - Throws: `missingKey` or `typeMismatch`.
    public func floats(_ key: String) throws(GGUFError) -> [Float] {
        try required(key, optionalFloats(key))
    }

    /// Like `string(_:)`, but nil when the key is absent.
    public func optionalString(_ key: String) throws(GGUFError) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let string) = value else { throw mismatch(key, "string", value) }
        return string
    }

    /// Like `integer(_:)`, but nil when the key is absent.
    public func optionalInteger(_ key: String) throws(GGUFError) -> Int? {
        guard let value = self[key] else { return nil }
        guard let integer = value.exactInteger else { throw mismatch(key, "integer", value) }
        guard let integer else { throw .valueOutOfRange(key: key) }
        return integer
    }

    /// Like `float(_:)`, but nil when the key is absent.
    public func optionalFloat(_ key: String) throws(GGUFError) -> Float? {
        guard let value = self[key] else { return nil }
        switch value {
        case .float32(let v): return v
        case .float64(let v): return Float(v)
        case .uint64(let v): return Float(v)  // exactInteger rejects uint64 above Int.max
        default:
            guard let integer = value.exactInteger ?? nil else { throw mismatch(key, "number", value) }
            return Float(integer)
        }
    }

    /// Like `bool(_:)`, but nil when the key is absent.
    public func optionalBool(_ key: String) throws(GGUFError) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let bool) = value else { throw mismatch(key, "bool", value) }
        return bool
    }

    /// Like `strings(_:)`, but nil when the key is absent.
    public func optionalStrings(_ key: String) throws(GGUFError) -> [String]? {
        guard let value = self[key] else { return nil }
        guard case .array(.strings(let strings)) = value else {
            throw mismatch(key, "array of string", value)
        }
        return strings
    }

    /// Like `integers(_:)`, but nil when the key is absent.
    public func optionalIntegers(_ key: String) throws(GGUFError) -> [Int]? {
        guard let value = self[key] else { return nil }
        guard case .array(let array) = value, let integers = array.exactIntegers else {
            throw mismatch(key, "array of integer", value)
        }
        guard let integers else { throw .valueOutOfRange(key: key) }
        return integers
    }

    /// Like `floats(_:)`, but nil when the key is absent.
    public func optionalFloats(_ key: String) throws(GGUFError) -> [Float]? {
        guard let value = self[key] else { return nil }
        guard case .array(let array) = value else { throw mismatch(key, "array of number", value) }
        switch array {
        case .float32s(let a): return a
        case .float64s(let a): return a.map { Float($0) }
        case .uint64s(let a): return a.map { Float($0) }
        default:
            guard let integers = array.exactIntegers ?? nil else {
                throw mismatch(key, "array of number", value)
            }
            return integers.map { Float($0) }
        }
    }

    private func required<T>(_ key: String, _ value: T?) throws(GGUFError) -> T {
        guard let value else { throw .missingKey(key) }
        return value
    }

    private func mismatch(_ key: String, _ expected: String, _ found: GGUFValue) -> GGUFError {
        .typeMismatch(key: key, expected: expected, found: found.typeName)
    }
}
