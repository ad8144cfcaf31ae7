import Kinglet

/// One streamed choice's text as chunk deltas: passed through as content, or split by the output parser
/// with each tool call sent as OpenAI does (id, type and name first, then the arguments).
struct DeltaStream {
    var parser: ChatOutputParser?
    /// Tool calls sent so far.
    private(set) var calls = 0

    init(parser: ChatOutputParser?) {
        self.parser = parser
    }

    mutating func append(_ text: String) -> [ChatCompletionChunk.Delta] {
        guard parser != nil else { return text.isEmpty ? [] : [.init(content: text)] }
        return convert(parser!.append(text))
    }

    mutating func finish() -> [ChatCompletionChunk.Delta] {
        guard parser != nil else { return [] }
        return convert(parser!.finish())
    }

    private mutating func convert(_ deltas: [ChatOutputParser.Delta]) -> [ChatCompletionChunk.Delta] {
        var out: [ChatCompletionChunk.Delta] = []
        for delta in deltas {
            switch delta {
            case .content(let text): out.append(.init(content: text))
            case .reasoning(let text): out.append(.init(reasoningContent: text))
            case .toolCall(let call):
                out.append(.init(toolCalls: [.init(index: calls, id: responseID("call_"), type: "function",
                                                   function: .init(name: call.name, arguments: ""))]))
                out.append(.init(toolCalls: [.init(index: calls, function: .init(arguments: call.arguments))]))
                calls += 1
            }
        }
        return out
    }
}
