import GGUF

/// Why a tokenizer could not be built from model metadata.
///
/// Encoding and decoding never fail; only loading does.
public enum TokenizerError: Error, Sendable, CustomStringConvertible {
    /// A required metadata key is absent (e.g. `tokenizer.ggml.tokens`).
    case missingKey(String)
    /// A metadata key is present but has the wrong type.
    case invalidMetadata(key: String, GGUFError)
    /// `tokenizer.ggml.model` names a tokenizer kind this module does not implement.
    case unsupportedModel(String, supported: [String])
    /// `tokenizer.ggml.pre` names a pre-tokenizer this module does not implement.
    case unsupportedPreTokenizer(String, supported: [String])
    /// Two per-token arrays disagree in length (e.g. `token_type` vs `tokens`).
    case countMismatch(key: String, count: Int, expected: Int)
    /// The same text appears twice in the vocabulary.
    case duplicateToken(String, first: Int, second: Int)
    /// A byte-level vocabulary lacks the single-character token for a byte, or a SentencePiece
    /// vocabulary with byte tokens lacks the `<0xAB>` token of one.
    case missingByteToken(UInt8)
    /// A merge rule is not two space-separated token texts.
    case malformedMerge(String, index: Int)
    /// A merge rule names (or produces) a token that is not in the vocabulary.
    case unknownMergeToken(String, merge: String, index: Int)
    /// The vocabulary or merge list has more entries than 32-bit token ids can address.
    case vocabularyTooLarge(Int)
    /// A special-token id key (bos, eos, …) points outside the vocabulary.
    case tokenIDOutOfRange(key: String, id: Int, vocabularySize: Int)
    /// An added token's id lies outside the vocabulary.
    case addedTokenOutOfRange(text: String, id: Int, vocabularySize: Int)
    /// `add_bos_token`/`add_eos_token` is true but the matching id key is absent.
    case missingSpecialToken(flag: String, idKey: String)
    /// A Hugging Face `tokenizer.json` or `tokenizer_config.json` is unreadable, not JSON, or
    /// not shaped as expected (e.g. a vocabulary with an id no token has).
    case invalidTokenizerJSON(file: String, reason: String)
    /// A `tokenizer.json` component this module does not implement (e.g. `model.type` `WordPiece`).
    case unsupportedTokenizerJSON(key: String, value: String)
    /// A `Split` pre-tokenizer regex that matches none of the implemented pre-tokenizers.
    case unsupportedSplitRegex(String)

    public var description: String {
        switch self {
        case .missingKey(let key):
            return "tokenizer metadata is missing '\(key)'; the GGUF file has no usable tokenizer"
        case .invalidMetadata(let key, let error):
            return "tokenizer metadata '\(key)' is unreadable: \(error)"
        case .unsupportedModel(let name, let supported):
            return "unsupported tokenizer model '\(name)' (tokenizer.ggml.model); supported: \(supported.joined(separator: ", "))"
        case .unsupportedPreTokenizer(let name, let supported):
            return "unsupported pre-tokenizer '\(name)' (tokenizer.ggml.pre); supported: \(supported.joined(separator: ", "))"
        case .countMismatch(let key, let count, let expected):
            return "'\(key)' has \(count) entries but the vocabulary has \(expected)"
        case .duplicateToken(let text, let first, let second):
            return "duplicate vocabulary entry '\(text)' at ids \(first) and \(second)"
        case .missingByteToken(let byte):
            return "vocabulary has no token for byte 0x\(String(byte, radix: 16, uppercase: true))"
        case .malformedMerge(let merge, let index):
            return "merge #\(index) '\(merge)' is not two space-separated tokens"
        case .unknownMergeToken(let token, let merge, let index):
            return "merge #\(index) '\(merge)' uses '\(token)', which is not in the vocabulary"
        case .vocabularyTooLarge(let count):
            return "tokenizer has \(count) entries, more than 32-bit token ids can address"
        case .tokenIDOutOfRange(let key, let id, let size):
            return "'\(key)' is \(id), outside the vocabulary of \(size) tokens"
        case .addedTokenOutOfRange(let text, let id, let size):
            return "added token '\(text)' has id \(id), outside the vocabulary of \(size) tokens"
        case .missingSpecialToken(let flag, let idKey):
            return "'\(flag)' is true but '\(idKey)' is not set"
        case .invalidTokenizerJSON(let file, let reason):
            return "\(file) is not a usable Hugging Face tokenizer file: \(reason)"
        case .unsupportedTokenizerJSON(let key, let value):
            return "unsupported tokenizer.json \(key): \(value)"
        case .unsupportedSplitRegex(let regex):
            return "unsupported pre-tokenizer Split regex \(regex); only the Qwen2, Qwen3.5, Llama 3 and GPT-2 regexes are implemented"
        }
    }
}
