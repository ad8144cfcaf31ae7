// Pins down how an answer becomes Anthropic content blocks: thinking, text and tool_use blocks in the order the model
// wrote them, no call markup in a text block, and stream events that rebuild exactly the blocks of the whole answer.
import Kinglet
@testable import KingletServer
import Templates
import Testing

struct ContentBlocksTests {
    /// A block without its random id, for comparing.
    func describe(_ block: ContentBlock) -> String {
        switch block {
        case .text(let text): "text: \(text)"
        case .thinking(let text): "thinking: \(text)"
        case .toolUse(_, let name, let input): "tool_use: \(name) \(input.jsonString())"
        }
    }

    /// The blocks a client rebuilds from the events, as Anthropic's SDK accumulates them; nil when the events are out of order.
    func replay(_ events: [MessageStreamEvent]) -> [String]? {
        var blocks: [String] = [], inputs: [Int: String] = [:], open: Int?
        for event in events {
            switch event {
            case .blockStart(let index, let block):
                guard open == nil, index == blocks.count else { return nil }
                blocks.append(describe(block))
                open = index
            case .blockDelta(let index, let delta):
                guard index == open else { return nil }
                switch delta {
                case .text(let text), .thinking(let text): blocks[index] += text
                case .inputJSON(let json): inputs[index, default: ""] += json
                }
            case .blockStop(let index):
                guard index == open else { return nil }
                open = nil
            default:
                return nil
            }
        }
        for (index, json) in inputs {
            guard let input = try? TemplateValue.parseJSON(json) else { return nil }
            blocks[index] = blocks[index].replacingOccurrences(of: " {}", with: " " + input.jsonString())
        }
        return open == nil ? blocks : nil
    }

    /// `output` fed in pieces of `size` characters: the blocks, and what the events rebuild.
    func build(_ output: String, size: Int, parser: ChatOutputParser?) -> (blocks: [String], replayed: [String]?, toolUses: Int) {
        var blocks = ContentBlocks(parser: parser)
        var events: [MessageStreamEvent] = []
        var rest = output[...]
        while !rest.isEmpty {
            events += blocks.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        events += blocks.finish()
        return (blocks.blocks.map(describe), replay(events), blocks.toolUses)
    }

    @Test func thinkingTextAndCallsBecomeBlocksInOrder() {
        let parser = ChatOutputParser(toolCalls: HermesToolCalls(), tools: [ToolFunction(name: "get_weather")], reasoning: .think)
        let output = "<think>\nThe user wants weather.\n</think>\n\nLet me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"
        let expected = ["thinking: The user wants weather.", "text: Let me check.", #"tool_use: get_weather {"city": "Paris"}"#]
        for size in [1, 3, 7, output.count] {
            let (blocks, replayed, toolUses) = build(output, size: size, parser: parser)
            #expect(blocks == expected, "pieces of \(size)")
            #expect(replayed == expected, "pieces of \(size)")
            #expect(toolUses == 1)
        }
    }

    @Test func withoutAParserTheTextIsOneBlock() {
        let (blocks, replayed, toolUses) = build("Hello, <tool_call> world", size: 4, parser: nil)
        #expect(blocks == ["text: Hello, <tool_call> world"])
        #expect(replayed == blocks)
        #expect(toolUses == 0)
        #expect(build("", size: 1, parser: nil).blocks.isEmpty)
    }
}
