/// GPT-2's split regex, hand-compiled:
///
///     's|'t|'re|'ve|'m|'ll|'d           1 contractions, lowercase only
///     | ?\p{L}+                          2 letters, optional leading space
///     | ?\p{N}+                          3 digits, any number of them
///     | ?[^\s\p{L}\p{N}]+                4 punctuation/symbols
///     |\s+(?!\S)                         5 whitespace, leaving one for the next word
///     |\s+                               6 a last lone whitespace
extension MatcherInput {
    /// The end of the pre-token starting at `start`.
    func gpt2Match(at start: Int) -> Int {
        if let end = contraction(at: start, foldingCase: false) { return end }

        let afterSpace = values[start] == 0x20 ? start + 1 : start
        for run in [ScalarClass.letter, .number] {
            if self.is(start, run) { return self.run(from: start, of: run) }
            if afterSpace > start && self.is(afterSpace, run) { return self.run(from: afterSpace, of: run) }
        }
        let notOther: ScalarClass = [.whitespace, .letter, .number]
        if isNone(start, of: notOther) { return run(from: start, notOf: notOther) }
        if afterSpace > start && isNone(afterSpace, of: notOther) { return run(from: afterSpace, notOf: notOther) }

        guard self.is(start, .whitespace) else { return start + 1 }   // unreachable: classes cover all
        let end = run(from: start, of: .whitespace)
        if end == count || end - start == 1 { return end }
        return end - 1
    }
}
