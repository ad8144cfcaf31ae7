// What a model writes besides its answer, judged from its chat template as llama.cpp's chat-format
// detection does (common/chat.cpp): the markers a template renders are the ones the model was trained on.

extension ChatFormat {
    /// How this model writes tool calls, or nil when its template shows no format Kinglet knows.
    public var toolCallFormat: (any ToolCallFormat)? {
        let source = template.source
        guard source.contains("<tool_call>") else { return nil }
        if source.contains("<function=") && source.contains("<parameter=") { return QwenXMLToolCalls() }
        if source.contains("<arg_key>") { return nil }   // GLM-4.5/4.6: `<tool_call>NAME<arg_key>…`, not supported yet
        return HermesToolCalls()
    }

    /// The tags around this model's reasoning, or nil when its template shows none.
    public var reasoningTags: ReasoningTags? {
        template.source.contains(ReasoningTags.think.opening) ? .think : nil
    }
}
