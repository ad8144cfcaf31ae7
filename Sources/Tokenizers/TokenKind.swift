/// The role of a vocabulary entry, as stored in GGUF `tokenizer.ggml.token_type`.
///
/// Values follow llama.cpp's `llama_token_type` (gguf-py `TokenType`).
public enum TokenKind: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    /// A special token such as `<|im_end|>`: matched in text only when parsing specials.
    case control = 3
    /// An added token that is always matched in text (e.g. Qwen's `<tool_call>`).
    case userDefined = 4
    case unused = 5
    case byte = 6

    /// Unknown codes map to `.undefined`, as llama.cpp does.
    init(ggufCode: Int) {
        self = TokenKind(rawValue: Int32(truncatingIfNeeded: ggufCode)) ?? .undefined
    }

    /// Whether the entry's text is literal (not byte-level encoded) and decodes as itself.
    var hasLiteralText: Bool {
        switch self {
        case .control, .userDefined, .unknown, .unused: return true
        case .normal, .byte, .undefined: return false
        }
    }

    /// Whether `decode(_:skipSpecial: true)` drops the token (llama.cpp hides these the same way).
    var isSkippedAsSpecial: Bool {
        switch self {
        case .control, .unknown, .unused: return true
        default: return false
        }
    }
}
