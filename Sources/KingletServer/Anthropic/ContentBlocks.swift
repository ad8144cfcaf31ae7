import Kinglet
import Templates

/// An answer's content blocks, built as its text arrives: the output parser's deltas (the plain text,
/// without a parser) grouped into `thinking` and `text` blocks, and each tool call a `tool_use` block.
///
/// Every step returns the stream events that build the same blocks, so a streamed answer adds up to
/// the whole one; a non-streaming answer ignores them and reads `blocks`.
struct ContentBlocks {
    private var parser: ChatOutputParser?
    private(set) var blocks: [ContentBlock] = []
    /// The last block still takes deltas (it is not closed by `content_block_stop` yet).
    private var lastIsOpen = false
    private(set) var toolUses = 0

    init(parser: ChatOutputParser?) {
        self.parser = parser
    }

    mutating func append(_ text: String) -> [MessageStreamEvent] {
        guard parser != nil else { return text.isEmpty ? [] : add([.content(text)]) }
        return add(parser!.append(text))
    }

    /// The end of the answer: what the parser held back, and the last block closed.
    mutating func finish() -> [MessageStreamEvent] {
        var events = parser != nil ? add(parser!.finish()) : []
        closeLast(into: &events)
        return events
    }

    private mutating func add(_ deltas: [ChatOutputParser.Delta]) -> [MessageStreamEvent] {
        var events: [MessageStreamEvent] = []
        for delta in deltas {
            switch delta {
            case .content(let text): write(.text(text), into: &events)
            case .reasoning(let text): write(.thinking(text), into: &events)
            case .toolCall(let call):
                // The parser releases only well-formed calls, whose arguments are a JSON object.
                let input = (try? TemplateValue.parseJSON(call.arguments)) ?? .object(OrderedObject())
                start(.toolUse(id: responseID("toolu_"), name: call.name, input: input), into: &events)
                events.append(.blockDelta(index: blocks.count - 1, .inputJSON(call.arguments)))
                closeLast(into: &events)
                toolUses += 1
            }
        }
        return events
    }

    /// Adds text to the last block when it is open and of the same kind, else to a new block.
    private mutating func write(_ delta: MessageStreamEvent.BlockDelta, into events: inout [MessageStreamEvent]) {
        switch (blocks.last, delta) {
        case (.text(let before)?, .text(let text)) where lastIsOpen: blocks[blocks.count - 1] = .text(before + text)
        case (.thinking(let before)?, .thinking(let text)) where lastIsOpen: blocks[blocks.count - 1] = .thinking(before + text)
        case (_, .text(let text)): start(.text(text), into: &events)
        case (_, .thinking(let text)): start(.thinking(text), into: &events)
        case (_, .inputJSON): return   // a call's input comes whole, with its block
        }
        events.append(.blockDelta(index: blocks.count - 1, delta))
    }

    /// Closes the last block and starts `block`, announced empty (its content follows as a delta).
    private mutating func start(_ block: ContentBlock, into events: inout [MessageStreamEvent]) {
        closeLast(into: &events)
        blocks.append(block)
        lastIsOpen = true
        let empty: ContentBlock = switch block {
        case .text: .text("")
        case .thinking: .thinking("")
        case .toolUse(let id, let name, _): .toolUse(id: id, name: name, input: .object(OrderedObject()))
        }
        events.append(.blockStart(index: blocks.count - 1, empty))
    }

    private mutating func closeLast(into events: inout [MessageStreamEvent]) {
        guard lastIsOpen else { return }
        events.append(.blockStop(index: blocks.count - 1))
        lastIsOpen = false
    }
}
