// Tokens the lexer hands the parser: template text, tag delimiters and expression tokens.

enum TokenKind: Equatable, Sendable {
    /// Literal template text, with whitespace control already applied.
    case text(String)
    case variableBegin, variableEnd, blockBegin, blockEnd
    case name(String)
    case string(String)
    case integer(Int)
    case float(Double)
    /// An operator or punctuation: `+`, `//`, `==`, `(`, `|`, `.` …
    case op(String)
    case eof
}

struct Token: Sendable {
    var kind: TokenKind
    var line: Int
    var column: Int
}
