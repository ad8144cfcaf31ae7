import GGUF

/// Why a model could not be loaded or run. Each description is one line that says what to do.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case file(GGUFError)
    /// A `.safetensors` file of a checkpoint could not be read.
    case safetensors(SafetensorsError, file: String)
    /// A Hugging Face checkpoint directory is incomplete or inconsistent (apart from its tensors' bytes).
    case invalidCheckpoint(String, reason: String)
    case unsupportedArchitecture(String, supported: [String])
    case missingTensor(String)
    case tensorShape(String, expected: [Int], found: [Int])
    case unsupportedTensorType(String, type: String)
    case invalidHyperparameter(String, String)
    case tokenOutOfRange(Int32, vocabularySize: Int)
    case contextFull(sequence: Int, position: Int, capacity: Int)
    case sequenceOutOfRange(Int, sequences: Int)
    case batchTooLarge(Int, limit: Int)
    case positionOutOfOrder(sequence: Int, position: Int, expected: Int)

    public var description: String {
        switch self {
        case .file(let error):
            return error.description
        case .safetensors(let error, let file):
            return "\(file): \(error.description)"
        case .invalidCheckpoint(let directory, let reason):
            return GGUFError.singleLine("cannot load the Hugging Face checkpoint \(directory): \(reason)")
        case .unsupportedArchitecture(let name, let supported):
            return "unsupported model architecture '\(name)'; Kinglet runs: \(supported.joined(separator: ", "))"
        case .missingTensor(let name):
            return "the model file has no tensor '\(name)', which this architecture needs; the file is incomplete or for another architecture"
        case .tensorShape(let name, let expected, let found):
            return "tensor '\(name)' has shape \(found), expected \(expected); the file does not match its own metadata"
        case .unsupportedTensorType(let name, let type):
            return "tensor '\(name)' is stored as \(type), which Kinglet cannot compute with yet; use a Q4_K_M, Q5_K_M, Q6_K, Q8_0 or F16 GGUF file, or an F32, F16 or BF16 checkpoint"
        case .invalidHyperparameter(let key, let reason):
            return "invalid model metadata '\(key)': \(reason)"
        case .tokenOutOfRange(let token, let size):
            return "token id \(token) is outside the vocabulary (0..<\(size))"
        case .contextFull(let sequence, let position, let capacity):
            return "sequence \(sequence) is full: position \(position) does not fit a context of \(capacity) tokens; use a larger --context"
        case .sequenceOutOfRange(let sequence, let sequences):
            return "sequence \(sequence) does not exist (the cache holds \(sequences))"
        case .batchTooLarge(let count, let limit):
            return "a batch of \(count) tokens exceeds this context's batch limit of \(limit)"
        case .positionOutOfOrder(let sequence, let position, let expected):
            return "sequence \(sequence) continues at position \(expected), not \(position): this model's recurrent layers read a sequence in order; truncate it to 0 or restore a checkpoint to go back"
        }
    }
}
