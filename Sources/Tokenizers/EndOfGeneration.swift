/// Which tokens end generation, chosen by token text as llama.cpp does
/// (`llama_vocab::impl::load`, "maintain a list of tokens that cause end-of-generation").
enum EndOfGeneration {
    /// Texts llama.cpp treats as end of generation, whatever their token type.
    static let texts: Set<String> = [
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<｜end▁of▁sentence｜>", "[e~[",
    ]

    /// llama.cpp's auto-detected FIM pad / repo / separator tokens (these end generation too).
    static let fimPadTexts = ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]
    static let fimRepTexts = ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]
    static let fimSepTexts = ["<|file_sep|>"]

    /// Every FIM token text llama.cpp recognizes (prefix, suffix, middle, pad, repo, separator).
    static let fimTexts: Set<String> = Set(fimPadTexts + fimRepTexts + fimSepTexts + [
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>",
    ])

    /// - Parameters:
    ///   - texts: the vocabulary, by id.
    ///   - declared: eos, eot and eom ids from the metadata.
    ///   - fim: FIM pad, repo and separator ids from the metadata (nil: find by text).
    static func tokens(texts: [String], declared: [Int32], fim: [Int32?]) -> Set<Int32> {
        // every listed text starts with one of these bytes; skip the other ~99% quickly
        let firstBytes: Set<UInt8> = [UInt8(ascii: "<"), UInt8(ascii: "["), UInt8(ascii: "_"), 0xE2]
        var byText: [String: Int32] = [:]
        for (id, text) in texts.enumerated() {
            guard let first = text.utf8.first, firstBytes.contains(first) else { continue }
            if byText[text] == nil { byText[text] = Int32(id) }
        }
        var result = Set(declared)
        for (index, candidates) in [fimPadTexts, fimRepTexts, fimSepTexts].enumerated() {
            if let id = fim[index] ?? candidates.lazy.compactMap({ byText[$0] }).first {
                result.insert(id)
            }
        }
        for text in Self.texts {
            if let id = byText[text] { result.insert(id) }
        }
        // gpt-oss / solar-open: "<|end|>" ends a message, not the generation
        let hasCall = byText["<|call|>"] != nil || byText["<|calls|>"] != nil
        if let end = byText["<|end|>"], hasCall, byText["<|return|>"] != nil || byText["<|flush|>"] != nil {
            result.remove(end)
        }
        // Gemma 4: "</s>" is not an end of generation when "<|tool_response>" exists
        if byText["<|tool_response>"] != nil, let closing = byText["</s>"] {
            result.remove(closing)
        }
        return result
    }
}
