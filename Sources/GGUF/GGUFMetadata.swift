/// A GGUF file's key-value metadata, in file order.
///
/// Read values with the typed accessors (`string(_:)`, `integer(_:)`, …): the required
/// ones throw `GGUFError.missingKey` when a key is absent, and every accessor throws
/// `GGUFError.typeMismatch` when a key holds the wrong type, so a model never runs on a
/// guessed hyperparameter.
///
/// ```swift
/// let layers = try file.metadata.integer("qwen2.block_count")
/// let eps = try file.metadata.optionalFloat("qwen2.attention.layer_norm_rms_epsilon") ?? 1e-6
/// ```
public struct GGUFMetadata: Sendable {
    /// The keys, in the order they appear in the file.
    public private(set) var keys: [String] = []
    private var values: [String: GGUFValue] = [:]

    /// An empty metadata table; fill it with `set(_:_:)`.
    public init() {}

    /// The number of key-value pairs.
    public var count: Int { keys.count }

    /// The value stored under `key`, or nil.
    public subscript(key: String) -> GGUFValue? { values[key] }

    /// Stores `value` under `key`; a new key goes last, an existing key keeps its place.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if values.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// Removes `key` and its value, if present.
    public mutating func remove(_ key: String) {
        guard values.removeValue(forKey: key) != nil else { return }
        keys.removeAll { $0 == key }
    }

    /// Adds a pair read from a file; false (and no change) if the key is already present.
    mutating func insertNew(_ key: String, _ value: GGUFValue) -> Bool {
        guard values[key] == nil else { return false }
        values[key] = value
        keys.append(key)
        return true
    }
}
