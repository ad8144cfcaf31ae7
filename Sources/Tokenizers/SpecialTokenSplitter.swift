/// Cuts added tokens (`<|im_start|>`, `<tool_call>`, …) out of raw text before normalization.
///
/// Matching is exact, case-sensitive and leftmost-longest over *all* added tokens, as Hugging
/// Face's `AddedVocabulary` does with its Aho-Corasick automaton. When specials are not parsed,
/// a match of a special token is not a split: its text stays part of the surrounding text
/// (HF `encode_special_tokens`, `added_vocabulary.rs` `find_matches`).
struct SpecialTokenSplitter: Sendable {
    enum Segment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// A byte trie; node 0 is the root.
    private var children: [[(byte: UInt8, node: Int32)]] = [[]]
    /// Per node: the token ending there, if any.
    private var tokens: [(id: Int32, isSpecial: Bool)?] = [nil]
    /// First bytes of any token, for a fast skip.
    private var startsToken = [Bool](repeating: false, count: 256)

    var isEmpty: Bool { children[0].isEmpty }

    init(_ addedTokens: [AddedToken]) {
        for token in addedTokens where !token.text.isEmpty {
            var node = 0
            for byte in token.text.utf8 {
                if let child = children[node].first(where: { $0.byte == byte }) {
                    node = Int(child.node)
                } else {
                    children.append([])
                    tokens.append(nil)
                    children[node].append((byte, Int32(children.count - 1)))
                    node = children.count - 1
                }
            }
            tokens[node] = (token.id, token.isSpecial)
        }
        for child in children[0] { startsToken[Int(child.byte)] = true }
    }

    /// The longest token starting at `start`, with its end.
    private func longestMatch(in text: UnsafeBufferPointer<UInt8>, at start: Int) -> (id: Int32, isSpecial: Bool, end: Int)? {
        var node = 0, index = start
        var best: (id: Int32, isSpecial: Bool, end: Int)?
        while index < text.count,
              let child = children[node].first(where: { $0.byte == text[index] }) {
            node = Int(child.node)
            index += 1
            if let token = tokens[node] { best = (token.id, token.isSpecial, index) }
        }
        return best
    }

    /// Calls `body` with the text ranges and matched tokens of `text`, in order.
    func split(_ text: UnsafeBufferPointer<UInt8>, parseSpecial: Bool, _ body: (Segment) -> Void) {
        var textStart = 0, index = 0
        while index < text.count {
            guard startsToken[Int(text[index])],
                  let match = longestMatch(in: text, at: index) else {
                index += 1
                continue
            }
            if match.isSpecial && !parseSpecial {
                index = match.end   // stays text; matching resumes after it, as in HF
                continue
            }
            if textStart < index { body(.text(textStart..<index)) }
            body(.token(match.id))
            index = match.end
            textStart = index
        }
        if textStart < text.count { body(.text(textStart..<text.count)) }
    }
}
