/// The Llama 3 / Qwen2 family of split regexes, hand-compiled:
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)      1 contractions, Unicode case folding
///     |[^\r\n\p{L}\p{N}]?\p{L}+         2 a letter run, optionally after one non-letter
///     |\p{N}{1,maxDigits}               3 digits, one (Qwen) or up to three (Llama 3) at a time
///     | ?[^\s\p{L}\p{N}]+[\r\n]*        4 punctuation/symbols, optional leading space
///     |\s*[\r\n]+                       5 whitespace up to the last line break
///     |\s+(?!\S)                        6 whitespace, leaving one for the next word
///     |\s+                              7 a last lone whitespace
///
/// Oniguruma tries alternatives left to right at each position and backtracks greedy runs;
/// the comments at each step say which backtracking outcome the code takes.
extension MatcherInput {
    /// The end of the pre-token starting at `start`.
    /// - Parameters:
    ///   - letters: the classes of `\p{L}+` (Qwen3.5 adds marks: `[\p{L}\p{M}]+`).
    func llama3FamilyMatch(at start: Int, maxDigits: Int, letters: ScalarClass) -> Int {
        // 1
        if let end = contraction(at: start, foldingCase: true) { return end }

        // 2: the optional prefix cannot be a letter (it would start the run) nor \r, \n or a
        // digit; if no letter follows it, backtracking leaves no match.
        if self.is(start, letters) { return run(from: start, of: letters) }
        if isNone(start, of: [.lineBreak, .letter, .number]) && self.is(start + 1, letters) {
            return run(from: start + 1, of: letters)
        }

        // 3
        if self.is(start, .number) { return min(run(from: start, of: .number), start + maxDigits) }

        // 4: `[^\s\p{L}\p{N}]` (and not `\p{M}` when marks count as letters)
        let notOther: ScalarClass = letters.union([.whitespace, .letter, .number])
        var symbols = start
        if values[start] == 0x20 && isNone(start + 1, of: notOther) { symbols = start + 1 }
        if isNone(symbols, of: notOther) {
            return run(from: run(from: symbols, notOf: notOther), of: .lineBreak)
        }

        guard self.is(start, .whitespace) else { return start + 1 }   // unreachable: classes cover all
        return whitespaceEnd(at: start)
    }

    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at `start` (a whitespace scalar): the tail every
    /// GPT-2-family regex ends with.
    @inline(__always)
    func whitespaceEnd(at start: Int) -> Int {
        let end = run(from: start, of: .whitespace)
        // `\s*` backs off until `[\r\n]+` can match: at the run's last line break, which
        // `[\r\n]+` then takes (the scalar after it is not a line break).
        var lastBreak = end - 1
        while lastBreak >= start && !classes[lastBreak].contains(.lineBreak) { lastBreak -= 1 }
        if lastBreak >= start { return lastBreak + 1 }
        // Followed by non-space, `\s+` gives back one scalar so `(?!\S)` holds; else the whole run.
        if end == count || end - start == 1 { return end }
        return end - 1
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `start`, optionally case-insensitive.
    ///
    /// Oniguruma's `(?i:)` uses Unicode simple case folding; the only non-ASCII scalar that
    /// folds to one of these letters is U+017F LATIN SMALL LETTER LONG S (→ s).
    @inline(__always)
    func contraction(at start: Int, foldingCase: Bool) -> Int? {
        guard values[start] == 0x27, start + 1 < count else { return nil }
        func letter(_ index: Int) -> UInt32 {
            guard index < count else { return 0 }
            let value = values[index]
            guard foldingCase else { return value }
            if value >= 0x41 && value <= 0x5A { return value | 0x20 }
            return value == 0x17F ? 0x73 : value
        }
        switch letter(start + 1) {
        case 0x73, 0x74, 0x6D, 0x64: return start + 2                           // s t m d
        case 0x72, 0x76: return letter(start + 2) == 0x65 ? start + 3 : nil    // re ve
        case 0x6C: return letter(start + 2) == 0x6C ? start + 3 : nil          // ll
        default: return nil
        }
    }
}
