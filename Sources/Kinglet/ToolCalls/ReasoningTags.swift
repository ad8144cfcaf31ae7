import Grammar

/// The tags around a reasoning model's thinking (`<think>` … `</think>`), which is sent as
/// `reasoning_content` rather than as the answer.
public struct ReasoningTags: Sendable, Equatable {
    public var opening: String
    public var closing: String

    public init(opening: String, closing: String) {
        self.opening = opening
        self.closing = closing
    }

    /// Qwen3, Qwen3.5, DeepSeek-R1 and SmolLM3.
    public static let think = ReasoningTags(opening: "<think>", closing: "</think>")

    /// Whether a prompt ending in `promptEnd` leaves a reasoning block open, so the output starts inside
    /// it: Qwen3.5's and DeepSeek-R1's generation prompts end in `<think>\n`.
    public func isOpen(afterPrompt promptEnd: String) -> Bool {
        var end = promptEnd.unicodeScalars[...]
        while let last = end.last, last.properties.isWhitespace { end = end.dropLast() }
        return String(end).hasSuffix(opening)
    }

    /// GBNF for one reasoning block and the whitespace after it; without its opening tag when `open`.
    func grammar(rule: String, open: Bool) -> String {
        let opening = open ? "" : Grammar.literal(self.opening) + " "
        return """
            \(rule) ::= \(opening)\(rule)_text \(Grammar.literal(closing)) [ \\t\\n]{0,8}
            \(gbnfText(rule: "\(rule)_text"))
            """
    }
}
