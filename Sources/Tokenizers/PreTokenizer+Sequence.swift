/// Pre-tokenizers that are a sequence of split regexes, as llama.cpp's `unicode_regex_split`
/// and Hugging Face's `Sequence` of `Split(…, "isolated")` run them: the first regex cuts the
/// text into its matches and the gaps between them, each later regex cuts every piece again.
///
/// Each regex is hand-compiled into a `SplitPattern` that says where a match starting at a
/// given scalar ends (Oniguruma's leftmost-first result), inside one piece: the piece's end is
/// the end of the text for `$` and lookahead.
enum SplitPattern: Sendable {
    /// `[\r\n]`
    case lineBreak
    /// `\p{N}`
    case digit
    /// `\p{N}+`
    case digits
    /// `\p{N}{1,3}`
    case upToThreeDigits
    /// `[0-9][0-9][0-9]`
    case asciiDigitTriple
    /// `\s?\p{L}+`
    case spaceLetters
    /// `\s?\p{P}+`
    case spacePunctuation
    /// `\s+$`
    case trailingWhitespace
    /// `[\p{P}\$\+<=>\^~\|]+`
    case punctuationOrMathSymbols
    /// GPT-2's `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`. Without
    /// the final `|\s+` of `PreTokenizer.gpt2` it leaves a lone whitespace before a non-space
    /// unmatched, which as a gap is the same piece, so the GPT-2 matcher serves.
    case gpt2
    /// DeepSeek LLM's `\s?[A-Za-zµÀ-ÖØ-öø-ƺ…𞤀-𞥃]+` (`DeepSeekTables.letters`).
    case deepSeekLetters
    /// DeepSeek LLM's `\s?[!-/:-~！-／：-～‘-‟　-。]+`.
    case deepSeekPunctuation
    /// DeepSeek's `[一-龥ࠀ-一가-퟿]+`: U+0800…U+9FA5 and U+AC00…U+D7FF.
    case deepSeekCJK
    /// DeepSeek V3's `[一-龥぀-ゟ゠-ヿ]+`: U+4E00…U+9FA5 and U+3040…U+30FF.
    case deepSeekV3CJK
    /// DeepSeek V3's word regex (`deepSeekV3Match`).
    case deepSeekV3Words
}

extension PreTokenizer {
    /// The regexes of the sequence pre-tokenizers, in order (llama.cpp `llm_tokenizer_bpe`).
    var splitPatterns: [SplitPattern] {
        switch self {
        case .deepSeekLLM:
            return [.lineBreak, .deepSeekLetters, .deepSeekPunctuation, .trailingWhitespace, .deepSeekCJK, .digits]
        case .deepSeekCoder:
            return [.lineBreak, .spaceLetters, .spacePunctuation, .deepSeekCJK, .digit]
        case .deepSeekV3:
            return [.upToThreeDigits, .deepSeekV3CJK, .deepSeekV3Words]
        case .smolLM:
            return [.digit, .gpt2]
        case .llamaDefault:
            return [.punctuationOrMathSymbols, .gpt2, .digits, .asciiDigitTriple]
        case .qwen2, .llama3, .qwen35, .gpt2:
            return []
        }
    }
}

extension MatcherInput {
    /// The scalars `range` of this input, as an input of its own.
    func slice(_ range: Range<Int>) -> MatcherInput {
        MatcherInput(values: UnsafeBufferPointer(rebasing: values[range]),
                     classes: UnsafeBufferPointer(rebasing: classes[range]))
    }

    /// Calls `body` with the pieces of `range` (offsets into this input) that `patterns` cut it into.
    func splitSequence(_ patterns: ArraySlice<SplitPattern>, _ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        guard let pattern = patterns.first else { return body(range) }
        let rest = patterns.dropFirst()
        let piece = slice(range)
        let base = range.lowerBound
        var gapStart = 0
        var index = 0
        while index < piece.count {
            guard let end = piece.match(pattern, at: index) else {
                index += 1
                continue
            }
            if gapStart < index { splitSequence(rest, base + gapStart..<base + index, body) }
            splitSequence(rest, base + index..<base + end, body)
            index = end
            gapStart = end
        }
        if gapStart < piece.count { splitSequence(rest, base + gapStart..<base + piece.count, body) }
    }

    /// The end of `pattern`'s match at `start`, or nil when it does not match there.
    func match(_ pattern: SplitPattern, at start: Int) -> Int? {
        switch pattern {
        case .lineBreak:
            return classes[start].contains(.lineBreak) ? start + 1 : nil
        case .digit:
            return self.is(start, .number) ? start + 1 : nil
        case .digits:
            return self.is(start, .number) ? run(from: start, of: .number) : nil
        case .upToThreeDigits:
            return self.is(start, .number) ? min(run(from: start, of: .number), start + 3) : nil
        case .asciiDigitTriple:
            guard start + 3 <= count else { return nil }
            for index in start..<start + 3 where !(0x30...0x39).contains(values[index]) { return nil }
            return start + 3
        case .spaceLetters:
            return spaceThenRun(at: start) { $1.contains(.letter) }
        case .spacePunctuation:
            return spaceThenRun(at: start) { $1.contains(.punctuation) }
        case .deepSeekLetters:
            return spaceThenRun(at: start) { value, _ in DeepSeekTables.isLetter(value) }
        case .deepSeekPunctuation:
            return spaceThenRun(at: start) { value, _ in DeepSeekTables.isPunctuation(value) }
        case .deepSeekCJK:
            guard DeepSeekTables.isCJK(values[start]) else { return nil }
            var end = start + 1
            while end < count && DeepSeekTables.isCJK(values[end]) { end += 1 }
            return end
        case .deepSeekV3CJK:
            func isMember(_ value: UInt32) -> Bool { (0x4E00...0x9FA5).contains(value) || (0x3040...0x30FF).contains(value) }
            guard isMember(values[start]) else { return nil }
            var end = start + 1
            while end < count && isMember(values[end]) { end += 1 }
            return end
        case .deepSeekV3Words:
            return deepSeekV3Match(at: start)
        case .trailingWhitespace:
            guard self.is(start, .whitespace) else { return nil }
            return run(from: start, of: .whitespace) == count ? count : nil
        case .punctuationOrMathSymbols:
            func isMember(_ index: Int) -> Bool {
                if classes[index].contains(.punctuation) { return true }
                switch values[index] {
                case 0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C: return true   // $ + < = > ^ ~ |
                default: return false
                }
            }
            guard isMember(start) else { return nil }
            var end = start + 1
            while end < count && isMember(end) { end += 1 }
            return end
        case .gpt2:
            return gpt2Match(at: start)
        }
    }

    /// DeepSeek V3's word regex at `start`:
    ///
    ///     [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+   1 ASCII punctuation glued to an ASCII word
    ///     |[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+             2 letters and marks, optionally after one other
    ///     | ?[\p{P}\p{S}]+[\r\n]*                          3 punctuation/symbols
    ///     |\s*[\r\n]+|\s+(?!\S)|\s+                        4–6 whitespace as in Llama 3
    func deepSeekV3Match(at start: Int) -> Int? {
        func isASCIILetter(_ index: Int) -> Bool {
            index < count && ((0x41...0x5A).contains(values[index]) || (0x61...0x7A).contains(values[index]))
        }
        // 1
        let first = values[start]
        if (0x21...0x2F).contains(first) || (0x3A...0x40).contains(first) || (0x5B...0x60).contains(first)
            || (0x7B...0x7E).contains(first), isASCIILetter(start + 1) {
            var end = start + 2
            while isASCIILetter(end) { end += 1 }
            return end
        }
        // 2: a mark as the optional prefix ends where the run from it ends, so either way the
        // run from `start` when `start` is a letter or mark.
        let word: ScalarClass = [.letter, .mark]
        if self.is(start, word) { return run(from: start, of: word) }
        if isNone(start, of: [.lineBreak, .letter, .punctuation, .symbol]) && self.is(start + 1, word) {
            return run(from: start + 1, of: word)
        }
        // 3
        let symbols: ScalarClass = [.punctuation, .symbol]
        if first == 0x20 && self.is(start + 1, symbols) { return run(from: run(from: start + 1, of: symbols), of: .lineBreak) }
        if self.is(start, symbols) { return run(from: run(from: start, of: symbols), of: .lineBreak) }
        // 4–6
        guard self.is(start, .whitespace) else { return nil }
        return whitespaceEnd(at: start)
    }

    /// `\s?[set]+` at `start`: `\s?` takes a whitespace when a member follows it, else the run
    /// must start at `start` (a whitespace can itself be a member, as U+3000 is of DeepSeek's
    /// punctuation).
    @inline(__always)
    private func spaceThenRun(at start: Int, _ isMember: (UInt32, ScalarClass) -> Bool) -> Int? {
        var first = start
        if classes[start].contains(.whitespace) && start + 1 < count && isMember(values[start + 1], classes[start + 1]) {
            first = start + 1
        } else if !isMember(values[start], classes[start]) {
            return nil
        }
        var end = first + 1
        while end < count && isMember(values[end], classes[end]) { end += 1 }
        return end
    }
}

/// The hand-listed character classes of DeepSeek's split regexes.
enum DeepSeekTables {
    /// DeepSeek LLM's letter class, as sorted inclusive code point ranges (the regex lists
    /// canonical singletons such as U+2126 OHM SIGN and U+212A KELVIN SIGN).
    static let letterRanges: [ClosedRange<UInt32>] = [
        0x41...0x5A, 0x61...0x7A, 0xB5...0xB5, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x1BA, 0x1BC...0x1BF,
        0x1C4...0x293, 0x295...0x2AF, 0x370...0x373, 0x376...0x377, 0x37B...0x37D, 0x37F...0x37F,
        0x386...0x386, 0x388...0x38A, 0x38C...0x38C, 0x38E...0x3A1, 0x3A3...0x3F5, 0x3F7...0x481,
        0x48A...0x52F, 0x531...0x556, 0x10A0...0x10C5, 0x13A0...0x13F5, 0x13F8...0x13FD, 0x1C90...0x1CBA,
        0x1CBD...0x1CBF, 0x1D00...0x1D2B, 0x1D6B...0x1D77, 0x1D79...0x1D9A, 0x1E00...0x1F15, 0x1F18...0x1F1D,
        0x1F20...0x1F45, 0x1F48...0x1F4D, 0x1F50...0x1F57, 0x1F59...0x1F59, 0x1F5B...0x1F5B, 0x1F5D...0x1F5D,
        0x1F5F...0x1F7D, 0x1F80...0x1FB4, 0x1FB6...0x1FBC, 0x1FBE...0x1FBE, 0x1FC2...0x1FC4, 0x1FC6...0x1FCC,
        0x1FD0...0x1FD3, 0x1FD6...0x1FDB, 0x1FE0...0x1FEC, 0x1FF2...0x1FF4, 0x1FF6...0x1FFC, 0x2102...0x2102,
        0x2107...0x2107, 0x210A...0x2113, 0x2115...0x2115, 0x2119...0x211D, 0x2124...0x2124, 0x2126...0x2126,
        0x2128...0x2128, 0x212A...0x212D, 0x212F...0x2134, 0x2139...0x2139, 0x213C...0x213F, 0x2145...0x2149,
        0x214E...0x214E, 0x2183...0x2184, 0x2C00...0x2C7B, 0x2C7E...0x2CE4, 0x2CEB...0x2CEE, 0x2CF2...0x2CF3,
        0xA640...0xA66D, 0xA680...0xA69B, 0xA722...0xA76F, 0xA771...0xA787, 0xA78B...0xA78E, 0xAB70...0xABBF,
        0xFB00...0xFB06, 0xFB13...0xFB17, 0xFF21...0xFF3A, 0xFF41...0xFF5A, 0x10400...0x1044F,
        0x104B0...0x104D3, 0x104D8...0x104FB, 0x10C80...0x10CB2, 0x10CC0...0x10CF2, 0x118A0...0x118DF,
        0x1E900...0x1E943,
    ]

    static func isLetter(_ value: UInt32) -> Bool {
        var low = 0
        var high = letterRanges.count
        while low < high {
            let mid = (low + high) / 2
            if letterRanges[mid].upperBound < value { low = mid + 1 } else { high = mid }
        }
        return low < letterRanges.count && letterRanges[low].contains(value)
    }

    /// `[!-/:-~！-／：-～‘-‟　-。]`
    static func isPunctuation(_ value: UInt32) -> Bool {
        switch value {
        case 0x21...0x2F, 0x3A...0x7E, 0xFF01...0xFF0F, 0xFF1A...0xFF5E, 0x2018...0x201F, 0x3000...0x3002: return true
        default: return false
        }
    }

    /// `[一-龥ࠀ-一가-퟿]`
    static func isCJK(_ value: UInt32) -> Bool {
        (0x0800...0x9FA5).contains(value) || (0xAC00...0xD7FF).contains(value)
    }
}
