/// A token matched as a whole in raw text before pre-tokenization (Hugging Face "added token").
///
/// Pass extra ones to `Tokenizer(gguf:addedTokens:)` to give a vocabulary slot new text,
/// e.g. Qwen3's `<think>` (151667) in a Qwen2.5 vocabulary where that id is a `[PAD…]` placeholder.
public struct AddedToken: Sendable, Hashable {
    public var id: Int32
    public var text: String
    /// Hugging Face's `special` flag: special tokens are matched only when `parseSpecial` is true,
    /// non-special ones always.
    public var isSpecial: Bool

    public init(id: Int32, text: String, isSpecial: Bool) {
        self.id = id
        self.text = text
        self.isSpecial = isSpecial
    }
}
