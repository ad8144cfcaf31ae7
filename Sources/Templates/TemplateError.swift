// Errors raised while parsing or rendering a chat template; every case names where it happened.

/// A template that could not be parsed, failed while rendering, or called `raise_exception`.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source is not valid Jinja at `line`:`column` (1-based).
    case syntax(line: Int, column: Int, message: String)
    /// Rendering failed in the statement that starts on `line` (1-based).
    case runtime(line: Int, message: String)
    /// The template called `raise_exception(message)`.
    case raised(message: String)

    public var description: String {
        switch self {
        case .syntax(let line, let column, let message):
            return "template syntax error at line \(line), column \(column): \(message)"
        case .runtime(let line, let message):
            return "template error at line \(line): \(message)"
        case .raised(let message):
            return "template raised: \(message)"
        }
    }
}

extension TemplateError {
    /// The message without its position, for wrapping in another error.
    var message: String {
        switch self {
        case .syntax(_, _, let m), .runtime(_, let m), .raised(let m): return m
        }
    }
}
