import GGUF

extension GGUFMetadata {
    /// The value under `key` read with an accessor such as `GGUFMetadata.optionalString`,
    /// with GGUF's type errors turned into `TokenizerError`.
    func tokenizerValue<T>(_ key: String, _ read: (GGUFMetadata) -> (String) throws(GGUFError) -> T?) throws(TokenizerError) -> T? {
        do {
            return try read(self)(key)
        } catch {
            throw .invalidMetadata(key: key, error)
        }
    }

    /// Like `tokenizerValue(_:_:)`, but the key must be present.
    func requiredTokenizerValue<T>(_ key: String, _ read: (GGUFMetadata) -> (String) throws(GGUFError) -> T?) throws(TokenizerError) -> T {
        guard let value = try tokenizerValue(key, read) else { throw .missingKey(key) }
        return value
    }
}
