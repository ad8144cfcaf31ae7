// llama.cpp GBNF (grammars/README.md) parsed straight into byte-level rules.
// Deliberately lenient in one way: a newline inside a rule continues it unless the next line starts
// a new rule (`name ::=`), so alternatives can be written one per line as in the README's examples.

struct GBNFParser {
    private let text: [Unicode.Scalar]
    private var pos = 0
    private(set) var rules = RuleSet()
    private var firstUse: [Int: Int] = [:]   // rule id -> position of its first reference
    private var current = ""                 // the rule being parsed, which names its helper rules

    init(_ text: String) { self.text = Array(text.unicodeScalars) }

    /// Parses every rule and checks that all references are defined and `root` exists.
    mutating func parse(root: String) throws(GrammarError) -> (RuleSet, root: Int) {
        skip(newlines: true)
        while pos < text.count {
            try parseRule()
            skip(newlines: true)
        }
        for (id, use) in firstUse.sorted(by: { $0.value < $1.value }) where rules.alternatives[id] == nil {
            let (line, column) = location(use)
            throw .undefinedRule(rules.names[id], line: line, column: column)
        }
        guard let rootID = rules.lookup(root), rules.alternatives[rootID] != nil else { throw .missingRoot(root) }
        try rules.checkLeftRecursion()
        return (rules, rootID)
    }

    // MARK: Rules

    private mutating func parseRule() throws(GrammarError) {
        let start = pos
        let name = parseName()
        guard !name.isEmpty else { throw error("expected a rule name") }
        skip(newlines: false)
        guard consume("::=") else { throw error("expected '::=' after rule name '\(name)'") }
        current = name
        skip(newlines: false)   // an empty body may end at the newline; parseSequence decides
        let alternatives = try parseAlternatives(nested: false)
        let id = rules.id(name)
        if rules.alternatives[id] != nil { throw error("rule '\(name)' is defined twice", at: start) }
        rules.alternatives[id] = alternatives
    }

    private mutating func parseAlternatives(nested: Bool) throws(GrammarError) -> [[Symbol]] {
        var alternatives = [try parseSequence(nested: nested)]
        while peek == "|" {
            pos += 1
            skip(newlines: nested)
            alternatives.append(try parseSequence(nested: nested))
        }
        return alternatives
    }

    private mutating func parseSequence(nested: Bool) throws(GrammarError) -> [Symbol] {
        var sequence: [Symbol] = []
        while true {
            skip(newlines: nested)
            if !nested && peek == "\n" {
                if continuesOnNextLine() { skip(newlines: true) } else { break }
            }
            guard let c = peek, c != "|", c != ")" else { break }
            if c == "\n" { break }
            var item = try parsePrimary()
            item = try parseRepetition(of: item)
            sequence += item
        }
        return sequence
    }

    /// After a newline outside parentheses: does the rule go on (the next line is not `name ::=`)?
    private func continuesOnNextLine() -> Bool {
        var probe = self
        probe.skip(newlines: true)
        guard probe.pos < probe.text.count else { return false }
        if probe.peek == "|" || probe.peek == ")" { return true }
        let name = probe.parseName()
        probe.skip(newlines: false)
        return name.isEmpty || !probe.consume("::=")
    }

    private mutating func parsePrimary() throws(GrammarError) -> [Symbol] {
        let start = pos
        switch peek! {
        case "\"":
            pos += 1
            var bytes: [UInt8] = []
            while true {
                guard let c = peek, c != "\n" else { throw error("unterminated string literal", at: start) }
                if c == "\"" { pos += 1; break }
                bytes += RuleSet.encode(try parseChar())
            }
            return RuleSet.literal(bytes)
        case "[":
            pos += 1
            let negated = peek == "^"
            if negated { pos += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            while true {
                guard let c = peek, c != "\n" else { throw error("unterminated character class", at: start) }
                if c == "]" { pos += 1; break }
                let lo = try parseChar()
                var hi = lo
                if peek == "-", pos + 1 < text.count, text[pos + 1] != "]" {
                    pos += 1
                    hi = try parseChar()
                    guard hi >= lo else { throw error("character range is reversed", at: pos - 1) }
                }
                ranges.append(lo...hi)
            }
            return symbols(RuleSet.codePointClass(ranges, negated: negated))
        case ".":
            pos += 1
            return symbols(RuleSet.codePointClass([], negated: true))
        case "(":
            pos += 1
            skip(newlines: true)
            let alternatives = try parseAlternatives(nested: true)
            guard peek == ")" else { throw error("'(' is never closed with ')'", at: start) }
            pos += 1
            return symbols(alternatives)
        default:
            let name = parseName()
            guard !name.isEmpty else { throw error("unexpected character '\(text[pos])'") }
            let id = rules.id(name)
            if firstUse[id] == nil { firstUse[id] = start }
            return [.rule(id)]
        }
    }

    /// One symbol when the alternatives are a single sequence of one element; else a helper rule.
    private mutating func symbols(_ alternatives: [[Symbol]]) -> [Symbol] {
        if alternatives.count == 1 { return alternatives[0] }
        return [.rule(rules.helper(current, alternatives))]
    }

    private mutating func parseRepetition(of item: [Symbol]) throws(GrammarError) -> [Symbol] {
        let start = pos
        let (min, max): (Int, Int?)
        switch peek {
        case "*": pos += 1; (min, max) = (0, nil)
        case "+": pos += 1; (min, max) = (1, nil)
        case "?": pos += 1; (min, max) = (0, 1)
        case "{":
            pos += 1
            skip(newlines: false)
            guard let m = parseInt() else { throw error("expected a count after '{'") }
            skip(newlines: false)
            if consume(",") {
                skip(newlines: false)
                let n = parseInt()
                skip(newlines: false)
                (min, max) = (m, n)
            } else {
                (min, max) = (m, m)
            }
            guard consume("}") else { throw error("expected '}' to close the repetition", at: start) }
            if let max, max < min { throw error("repetition {\(min),\(max)} has max below min", at: start) }
            if min > 10_000 || (max ?? 0) > 10_000 { throw error("repetition count above 10000", at: start) }
        default:
            return item
        }
        return rules.repeating(item, min: min, max: max, name: current)
    }

    // MARK: Lexing

    private var peek: Unicode.Scalar? { pos < text.count ? text[pos] : nil }

    private mutating func consume(_ word: String) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard pos + scalars.count <= text.count, Array(text[pos..<pos + scalars.count]) == scalars else { return false }
        pos += scalars.count
        return true
    }

    /// Skips spaces, tabs, `\r` and `#` comments; newlines too when `newlines`.
    private mutating func skip(newlines: Bool) {
        while let c = peek {
            if c == " " || c == "\t" || c == "\r" || (newlines && c == "\n") {
                pos += 1
            } else if c == "#" {
                while let c = peek, c != "\n" { pos += 1 }
            } else {
                break
            }
        }
    }

    private mutating func parseName() -> String {
        var name = ""
        while let c = peek, ("a"..."z").contains(c) || ("A"..."Z").contains(c)
            || c == "-" || c == "_" || ("0"..."9").contains(c) {
            name.unicodeScalars.append(c)
            pos += 1
        }
        return name
    }

    private mutating func parseInt() -> Int? {
        var value: Int?
        while let c = peek, ("0"..."9").contains(c) {
            value = min((value ?? 0) * 10 + Int(c.value - 48), 1_000_000)
            pos += 1
        }
        return value
    }

    /// One character of a literal or class, with llama.cpp's escapes.
    private mutating func parseChar() throws(GrammarError) -> UInt32 {
        let c = text[pos]
        pos += 1
        guard c == "\\" else { return c.value }
        guard let e = peek else { throw error("escape at end of input") }
        pos += 1
        switch e {
        case "n": return 0x0A
        case "r": return 0x0D
        case "t": return 0x09
        case "\\", "\"", "[", "]", "-", "^", "/", "'": return e.value
        case "x": return try parseHex(2)
        case "u": return try parseHex(4)
        case "U": return try parseHex(8)
        default: throw error("unknown escape '\\\(e)'", at: pos - 2)
        }
    }

    private mutating func parseHex(_ digits: Int) throws(GrammarError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let c = peek, let d = c.properties.isASCIIHexDigit ? UInt32(String(c), radix: 16) : nil else {
                throw error("expected \(digits) hex digits")
            }
            value = value << 4 | d
            pos += 1
        }
        guard value <= 0x10FFFF else { throw error("code point above U+10FFFF") }
        return value
    }

    private func location(_ position: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for c in text[..<min(position, text.count)] {
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    private func error(_ message: String, at position: Int? = nil) -> GrammarError {
        let (line, column) = location(position ?? pos)
        return .syntax(line: line, column: column, message: message)
    }
}

extension RuleSet {
    /// `item` repeated `min` to `max` (nil: unbounded) times, with tail-recursive helper rules as llama.cpp does.
    mutating func repeating(_ item: [Symbol], min: Int, max: Int?, name: String) -> [Symbol] {
        guard !item.isEmpty else { return [] }
        let unit: Symbol = item.count == 1 ? item[0] : .rule(helper(name, [item]))
        var out = [Symbol](repeating: unit, count: min)
        if let max {
            guard max > min else { return out }
            var tail = helper(name, [[unit], []])   // unit?
            for _ in 0..<(max - min - 1) { tail = helper(name, [[unit, .rule(tail)], []]) }
            out.append(.rule(tail))
        } else {
            let star = helper(name, [])
            alternatives[star] = [[unit, .rule(star)], []]
            out.append(.rule(star))
        }
        return out
    }
}
