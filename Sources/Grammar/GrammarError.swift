// Every way building or following a grammar can fail, each with a one-line fix-it description.

/// Why a grammar could not be compiled, or why a token was refused.
public enum GrammarError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The GBNF text is malformed at `line`:`column` (both 1-based).
    case syntax(line: Int, column: Int, message: String)
    /// A rule is referenced but never defined.
    case undefinedRule(String, line: Int, column: Int)
    /// The start rule (usually `root`) is not defined.
    case missingRoot(String)
    /// A rule can reach itself without consuming a byte; a top-down matcher would loop forever.
    case leftRecursion(rule: String)
    /// The JSON Schema text is not valid JSON.
    case invalidJSON(String)
    /// The schema is malformed or unsatisfiable at `path` (a JSON pointer like `#/properties/x`).
    case invalidSchema(message: String, path: String)
    /// The schema uses a keyword that constrains values and that this compiler cannot enforce.
    case unsupportedSchema(keyword: String, path: String)
    /// `accept` was given a token the grammar does not allow in the current state.
    case tokenNotAllowed(Int32)

    public var description: String {
        switch self {
        case .syntax(let line, let column, let message):
            "GBNF syntax error at \(line):\(column): \(message)"
        case .undefinedRule(let name, let line, let column):
            "GBNF rule '\(name)' used at \(line):\(column) is never defined: add '\(name) ::= ...'"
        case .missingRoot(let name):
            "GBNF grammar has no start rule '\(name)': define '\(name) ::= ...' or pass another root"
        case .leftRecursion(let rule):
            "GBNF rule '\(rule)' is left-recursive (reaches itself without consuming input): rewrite it with repetition, e.g. 'x ::= y (\"+\" y)*'"
        case .invalidJSON(let message):
            "JSON Schema is not valid JSON: \(message)"
        case .invalidSchema(let message, let path):
            "invalid JSON Schema at \(path): \(message)"
        case .unsupportedSchema(let keyword, let path):
            "unsupported JSON Schema keyword \"\(keyword)\" at \(path): remove it or enforce it after generation"
        case .tokenNotAllowed(let token):
            "token \(token) is not allowed by the grammar here: sample from the masked logits"
        }
    }
}
