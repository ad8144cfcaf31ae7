/// How text is cut into words before BPE, named by GGUF `tokenizer.ggml.pre`.
///
/// Each case is the split regex of the model's `tokenizer.json`, hand-compiled into a matcher
/// that reproduces Oniguruma's leftmost-first backtracking exactly (see
/// `PreTokenizer+Llama3.swift`, `PreTokenizer+GPT2.swift`), or the list of regexes llama.cpp
/// applies one after another (`PreTokenizer+Sequence.swift`). Add a family by adding a case, its
/// GGUF names in `ggufNames` and a matcher or `splitPatterns`.
enum PreTokenizer: Sendable, Equatable {
    /// Qwen2/2.5/3 (`qwen2`): NFC, then
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    case qwen2
    /// Llama 3 (`llama-bpe`): the Qwen2 regex with `\p{N}{1,3}`, no normalizer; a word found
    /// whole in the vocabulary skips merging (`ignore_merges`).
    case llama3
    /// Qwen3.5 (`qwen35`): NFC, then the Qwen2 regex with marks joining letter runs:
    /// `[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+` and ` ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*`.
    case qwen35
    /// GPT-2 (`gpt-2`): `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// DeepSeek LLM (`deepseek-llm`): six regexes in sequence (`PreTokenizer+Sequence.swift`):
    /// `[\r\n]`, `\s?[A-Za-zµÀ-ÖØ-öø-ƺ…]+`, `\s?[!-/:-~！-／：-～‘-‟　-。]+`, `\s+$`,
    /// `[一-龥ࠀ-一가-퟿]+`, `\p{N}+`.
    case deepSeekLLM
    /// DeepSeek Coder (`deepseek-coder`): `[\r\n]`, `\s?\p{L}+`, `\s?\p{P}+`, `[一-龥ࠀ-一가-퟿]+`, `\p{N}`.
    case deepSeekCoder
    /// DeepSeek V3 (`deepseek-v3`): `\p{N}{1,3}`, `[一-龥぀-ゟ゠-ヿ]+`, then
    /// `[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    case deepSeekV3
    /// SmolLM (`smollm`): `\p{N}`, then GPT-2's regex.
    case smolLM
    /// llama.cpp's fallback (`default`): `[\p{P}\$\+<=>\^~\|]+`, GPT-2's regex, `\p{N}+`, `[0-9][0-9][0-9]`.
    case llamaDefault

    /// GGUF names per case, following llama.cpp's `llama_vocab::impl::load` name table for the
    /// names whose regex and flags match the case exactly.
    static let ggufNames: [(name: String, preTokenizer: PreTokenizer)] = [
        ("qwen2", .qwen2), ("deepseek-r1-qwen", .qwen2), ("stablelm2", .qwen2), ("megrez", .qwen2),
        ("llama3", .llama3), ("llama-v3", .llama3), ("llama-bpe", .llama3), ("falcon3", .llama3),
        ("qwen35", .qwen35),
        ("gpt-2", .gpt2), ("phi-2", .gpt2),
        ("deepseek-llm", .deepSeekLLM), ("deepseek-coder", .deepSeekCoder),
        ("deepseek-v3", .deepSeekV3), ("smollm", .smolLM),
        ("default", .llamaDefault),
    ]

    init(ggufName name: String) throws(TokenizerError) {
        guard let match = Self.ggufNames.first(where: { $0.name == name }) else {
            throw .unsupportedPreTokenizer(name, supported: Self.ggufNames.map(\.name))
        }
        self = match.preTokenizer
    }

    /// Whether text is NFC-normalized first (Hugging Face `normalizer: NFC` in Qwen's tokenizer.json).
    var normalizesToNFC: Bool {
        switch self {
        case .qwen2, .qwen35: return true
        case .llama3, .gpt2, .deepSeekLLM, .deepSeekCoder, .deepSeekV3, .smolLM, .llamaDefault: return false
        }
    }

    /// Whether a word that is itself a vocabulary entry is emitted without merging
    /// (HF `ignore_merges`; llama.cpp sets it for Llama 3).
    var ignoresMerges: Bool { self == .llama3 }

    /// llama.cpp's default for `add_bos_token` when the GGUF does not say.
    var addsBOSByDefault: Bool { self == .llama3 }

    /// Calls `body` with the scalar range of each pre-token of `text`, in order, covering all of it.
    func split(_ text: ScalarBuffer, _ body: (Range<Int>) -> Void) {
        text.values.withUnsafeBufferPointer { values in
            text.classes.withUnsafeBufferPointer { classes in
                let input = MatcherInput(values: UnsafeBufferPointer(rebasing: values[..<text.count]),
                                         classes: UnsafeBufferPointer(rebasing: classes[..<text.count]))
                let patterns = splitPatterns
                if !patterns.isEmpty {
                    input.splitSequence(patterns[...], 0..<input.count, body)
                    return
                }
                var start = 0
                while start < input.count {
                    let end: Int
                    switch self {
                    case .qwen2: end = input.llama3FamilyMatch(at: start, maxDigits: 1, letters: .letter)
                    case .llama3: end = input.llama3FamilyMatch(at: start, maxDigits: 3, letters: .letter)
                    case .qwen35: end = input.llama3FamilyMatch(at: start, maxDigits: 1, letters: [.letter, .mark])
                    case .gpt2: end = input.gpt2Match(at: start)
                    case .deepSeekLLM, .deepSeekCoder, .deepSeekV3, .smolLM, .llamaDefault: return   // sequences, above
                    }
                    body(start..<end)
                    start = end
                }
            }
        }
    }
}

/// The decoded text a matcher walks: scalar values and their classes.
struct MatcherInput {
    let values: UnsafeBufferPointer<UInt32>
    let classes: UnsafeBufferPointer<ScalarClass>

    var count: Int { values.count }

    /// The end of the run of scalars from `start` whose class intersects `set`.
    @inline(__always)
    func run(from start: Int, of set: ScalarClass) -> Int {
        var end = start
        while end < count && !classes[end].isDisjoint(with: set) { end += 1 }
        return end
    }

    /// The end of the run from `start` of scalars that are none of `set`.
    @inline(__always)
    func run(from start: Int, notOf set: ScalarClass) -> Int {
        var end = start
        while end < count && classes[end].isDisjoint(with: set) { end += 1 }
        return end
    }

    @inline(__always)
    func `is`(_ index: Int, _ set: ScalarClass) -> Bool {
        index < count && !classes[index].isDisjoint(with: set)
    }

    @inline(__always)
    func isNone(_ index: Int, of set: ScalarClass) -> Bool {
        index < count && classes[index].isDisjoint(with: set)
    }
}
