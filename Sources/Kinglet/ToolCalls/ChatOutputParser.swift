/// Splits a chat model's output, as it streams, into reasoning, content and tool calls.
///
/// - Reasoning: a block between `reasoning` tags at the very start of the output (or from the start,
///   when the prompt opened it) is reasoning, never content.
/// - Tool calls: from the format's opening tag to its closing tag (or the end of the output). A call is
///   released whole, once it is known to be well-formed; one that is not goes out as the content it was
///   (`callsOnly`, where the output was forced to be calls, drops it instead). An answer that may be a
///   call without tags (a format's bare call) is held back to its end.
/// - Text that may be the start of a tag is held back until it is known not to be one, so no part of a
///   tag reaches the content. Whitespace between a tag and the text beside it (`</think>\n\n`,
///   `\n<tool_call>`) is dropped; all other text is kept exactly, so without tags the content is the output.
///
/// Feeding the output in any number of pieces gives the same deltas, joined, as feeding it at once.
///
/// ```swift
/// var parser = ChatOutputParser(toolCalls: HermesToolCalls())
/// var output = ChatOutput()
/// for piece in pieces { output.add(parser.append(piece)) }
/// output.add(parser.finish())
/// ```
public struct ChatOutputParser: Sendable {
    public enum Delta: Sendable, Equatable {
        case content(String)
        case reasoning(String)
        case toolCall(ToolCall)
    }

    private enum State { case start, reasoning, content, call }

    private let format: (any ToolCallFormat)?
    private let tools: [ToolFunction]
    private let reasoning: ReasoningTags?
    private let callsOnly: Bool
    private let parallel: Bool
    private let opening: [UInt8], closing: [UInt8]
    private var state: State
    /// Output received and not yet released, as UTF-8. Cuts fall on ASCII tags and whitespace, so
    /// every released piece is whole characters when every appended piece was.
    private var pending: [UInt8] = []
    /// Drop whitespace before the next released text: a closing tag came last.
    private var skipWhitespace = false
    /// The whitespace before an opening tag: dropped if the call is well-formed, content if not.
    private var beforeCall: [UInt8] = []
    private var calls = 0
    /// Nothing is released yet, so the answer may still be a call without tags (`ToolCallFormat.parseBareCall`).
    private var bareCallPossible = true

    /// - Parameters:
    ///   - toolCalls: the model's call format; nil leaves every call in the content (`tool_choice: none`).
    ///   - tools: the declared functions, for formats whose values are typed by their parameters.
    ///   - reasoning: the model's reasoning tags, nil when it does not reason.
    ///   - reasoningOpen: the prompt ended inside a reasoning block (`ReasoningTags.isOpen(afterPrompt:)`).
    ///   - callsOnly: the output was forced to be calls: a malformed or unfinished one is dropped, not content.
    ///   - parallel: keep every call; false keeps the first (`parallel_tool_calls: false`).
    public init(toolCalls: (any ToolCallFormat)?, tools: [ToolFunction] = [], reasoning: ReasoningTags? = nil,
                reasoningOpen: Bool = false, callsOnly: Bool = false, parallel: Bool = true) {
        format = toolCalls
        self.tools = tools
        self.reasoning = reasoning
        self.callsOnly = callsOnly
        self.parallel = parallel
        opening = Array((toolCalls?.openingTag ?? "").utf8)
        closing = Array((toolCalls?.closingTag ?? "").utf8)
        switch (reasoning, reasoningOpen) {
        case (nil, _): state = .content
        case (_, true): state = .reasoning; skipWhitespace = true
        case (_, false): state = .start
        }
    }

    /// Takes the next piece of output; returns what it releases.
    public mutating func append(_ text: String) -> [Delta] {
        pending += text.utf8
        var deltas = Deltas()
        process(into: &deltas, final: false)
        return deltas.list
    }

    /// Releases everything held back, at the end of the output.
    public mutating func finish() -> [Delta] {
        var deltas = Deltas()
        process(into: &deltas, final: true)
        return deltas.list
    }

    private mutating func process(into deltas: inout Deltas, final: Bool) {
        while true {
            switch state {
            case .start:
                // Reasoning only opens the output: `<think>` later on is text.
                let open = Array(reasoning!.opening.utf8)
                let text = pending.drop { $0.isWhitespace }
                if text.starts(with: open) {
                    pending.removeFirst(pending.count - text.count + open.count)
                    state = .reasoning
                    skipWhitespace = true
                    continue
                }
                if !final && open.starts(with: text) { return }
                state = .content
            case .reasoning:
                let close = Array(reasoning!.closing.utf8)
                guard let end = pending.firstRange(of: close) else {
                    release(.reasoning, holdingBack: close, final: final, into: &deltas)
                    return
                }
                release(.reasoning, pending[..<end.lowerBound].droppingTrailingWhitespace, into: &deltas)
                pending.removeFirst(end.upperBound)
                state = .content
                skipWhitespace = true
            case .content:
                if bareCallPossible, let format {
                    let answer = String(decoding: pending, as: UTF8.self)
                    bareCallPossible = format.mayBeBareCall(answer[...], tools: tools)
                    if bareCallPossible {
                        guard final else { return }
                        bareCallPossible = false
                        if let call = format.parseBareCall(answer[...], tools: tools) {
                            emit(call, into: &deltas)
                            pending = []
                        }
                        continue   // not a call after all: the same text as content
                    }
                }
                guard format != nil, let start = pending.firstRange(of: opening) else {
                    release(.content, holdingBack: format != nil ? opening : [], final: final, into: &deltas)
                    return
                }
                let text = pending[..<start.lowerBound].droppingTrailingWhitespace
                release(.content, text, into: &deltas)
                beforeCall = Array(pending[text.endIndex..<start.lowerBound])
                pending.removeFirst(start.upperBound)
                state = .call
                bareCallPossible = false
            case .call:
                if let end = pending.firstRange(of: closing) {
                    let body = pending[..<end.lowerBound]
                    endCall(body: body, raw: opening + pending[..<end.upperBound], into: &deltas)
                    pending.removeFirst(end.upperBound)
                } else if final {
                    endCall(body: pending[...], raw: opening + pending, into: &deltas)
                    pending = []
                } else {
                    return
                }
                state = .content
            }
        }
    }

    /// A call's end: the call if it is well-formed, else its text as content (or nothing, `callsOnly`).
    private mutating func endCall(body: ArraySlice<UInt8>, raw: [UInt8], into deltas: inout Deltas) {
        let text = String(decoding: body, as: UTF8.self)
        if let call = format!.parseCall(text[...], tools: tools) {
            emit(call, into: &deltas)
        } else if callsOnly {
            skipWhitespace = true
        } else {
            release(.content, (beforeCall + raw)[...], into: &deltas)
        }
        beforeCall = []
    }

    private mutating func emit(_ call: ToolCall, into deltas: inout Deltas) {
        if parallel || calls == 0 { deltas.add(.toolCall(call)) }
        calls += 1
        skipWhitespace = true
    }

    /// Releases `pending` as `kind` but for what may begin `tag` and the whitespace before it (all, when `final`).
    private mutating func release(_ kind: Kind, holdingBack tag: [UInt8], final: Bool, into deltas: inout Deltas) {
        var cut = pending.count
        if !final {
            // The longest end of `pending` that begins `tag`, then the whitespace before it.
            if let partial = (1..<max(1, min(tag.count, pending.count + 1))).reversed().first(where: { pending.suffix($0).elementsEqual(tag.prefix($0)) }) {
                cut -= partial
            }
            if !tag.isEmpty { while cut > 0, pending[cut - 1].isWhitespace { cut -= 1 } }
        }
        release(kind, pending[..<cut], into: &deltas)
        pending.removeFirst(cut)
    }

    private enum Kind { case content, reasoning }

    private mutating func release(_ kind: Kind, _ bytes: ArraySlice<UInt8>, into deltas: inout Deltas) {
        var bytes = bytes
        if skipWhitespace { bytes = bytes.drop { $0.isWhitespace } }
        guard !bytes.isEmpty else { return }
        skipWhitespace = false
        if kind == .content { bareCallPossible = false }
        let text = String(decoding: bytes, as: UTF8.self)
        deltas.add(kind == .content ? .content(text) : .reasoning(text))
    }

    /// Deltas with neighbouring text of one kind joined.
    private struct Deltas {
        var list: [Delta] = []

        mutating func add(_ delta: Delta) {
            switch (list.last, delta) {
            case (.content(let a)?, .content(let b)): list[list.count - 1] = .content(a + b)
            case (.reasoning(let a)?, .reasoning(let b)): list[list.count - 1] = .reasoning(a + b)
            default: list.append(delta)
            }
        }
    }
}

/// A chat answer as the parser splits it: what `ChatOutputParser`'s deltas add up to.
public struct ChatOutput: Sendable, Equatable {
    public var content = ""
    public var reasoning = ""
    public var toolCalls: [ToolCall] = []

    public init() {}

    public mutating func add(_ deltas: [ChatOutputParser.Delta]) {
        for delta in deltas {
            switch delta {
            case .content(let text): content += text
            case .reasoning(let text): reasoning += text
            case .toolCall(let call): toolCalls.append(call)
            }
        }
    }

    /// `output` parsed at once.
    public init(parsing output: String, with parser: ChatOutputParser) {
        var parser = parser
        add(parser.append(output))
        add(parser.finish())
    }
}

extension UInt8 {
    /// ASCII whitespace, the only whitespace chat formats put around their tags.
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x09 || self == 0x0D }
}

extension ArraySlice<UInt8> {
    fileprivate var droppingTrailingWhitespace: ArraySlice<UInt8> {
        var end = endIndex
        while end > startIndex, self[end - 1].isWhitespace { end -= 1 }
        return self[startIndex..<end]
    }
}
