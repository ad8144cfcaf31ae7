// The grammar as rules of byte-level symbols, what both GBNF and JSON Schema compile to.
// Code-point classes are lowered to alternatives of UTF-8 byte-range sequences here, so the matcher
// only ever sees bytes and a token that ends inside a multi-byte character needs no special case.

/// A set of bytes, one bit each.
struct ByteSet: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}
    init(_ range: ClosedRange<UInt8>) { for b in range { insert(b) } }

    func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

    static func == (a: ByteSet, b: ByteSet) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
    }
}

/// One element of an alternative: a byte from a set, or a whole rule.
enum Symbol: Hashable, Sendable {
    case bytes(ByteSet)
    case rule(Int)
}

/// Named rules, each a list of alternatives (sequences of symbols); an empty sequence matches "".
struct RuleSet: Sendable {
    var names: [String] = []
    var alternatives: [[[Symbol]]?] = []   // nil until defined
    private var ids: [String: Int] = [:]

    /// The id of `name`, declaring it (undefined) on first use.
    mutating func id(_ name: String) -> Int {
        if let id = ids[name] { return id }
        ids[name] = names.count
        names.append(name)
        alternatives.append(nil)
        return names.count - 1
    }

    func lookup(_ name: String) -> Int? { ids[name] }

    /// A fresh helper rule named after `base` (`base-1`, `base-2`, ...), as llama.cpp names them.
    mutating func helper(_ base: String, _ alternatives: [[Symbol]]) -> Int {
        var n = names.count
        while ids["\(base)-\(n)"] != nil { n += 1 }
        let id = self.id("\(base)-\(n)")
        self.alternatives[id] = alternatives
        return id
    }

    /// The symbol sequence for a UTF-8 literal.
    static func literal(_ bytes: some Sequence<UInt8>) -> [Symbol] {
        bytes.map { .bytes(ByteSet($0...$0)) }
    }

    /// Alternatives matching one code point in `ranges` (or not in them, when `negated`), as UTF-8 bytes.
    /// Surrogates are never matched: they are not valid in UTF-8.
    static func codePointClass(_ ranges: [ClosedRange<UInt32>], negated: Bool) -> [[Symbol]] {
        var included = normalized(ranges)
        if negated { included = complement(included) }
        included = subtract(included, 0xD800...0xDFFF)
        var ascii = ByteSet()
        var sequences: [[Symbol]] = []
        for range in included {
            for sequence in utf8Sequences(range) {
                if sequence.count == 1 {
                    for b in sequence[0] { ascii.insert(b) }
                } else {
                    sequences.append(sequence.map { .bytes(ByteSet($0)) })
                }
            }
        }
        if !ascii.isEmpty { sequences.insert([.bytes(ascii)], at: 0) }
        return sequences
    }

    private static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        for r in ranges.filter({ $0.lowerBound <= 0x10FFFF }).map({ $0.lowerBound...min($0.upperBound, 0x10FFFF) })
            .sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    private static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in normalized(ranges) {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound + 1
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    private static func subtract(_ ranges: [ClosedRange<UInt32>], _ hole: ClosedRange<UInt32>) -> [ClosedRange<UInt32>] {
        complement(complement(ranges) + [hole])
    }

    /// Splits a code-point range into sequences of byte ranges, one byte range per UTF-8 byte
    /// (the algorithm of Rust regex-syntax's `Utf8Sequences`).
    static func utf8Sequences(_ range: ClosedRange<UInt32>) -> [[ClosedRange<UInt8>]] {
        var out: [[ClosedRange<UInt8>]] = []
        var todo = [range]
        outer: while let r = todo.popLast() {
            let lo = r.lowerBound
            var hi = r.upperBound
            for boundary: UInt32 in [0x7F, 0x7FF, 0xFFFF] where lo <= boundary && hi > boundary {
                todo.append((boundary + 1)...hi)
                hi = boundary
            }
            if lo > hi { continue }
            for i: UInt32 in 1..<4 {
                let mask: UInt32 = (1 << (6 * i)) - 1
                if lo & ~mask != hi & ~mask {
                    if lo & mask != 0 {
                        todo.append(((lo | mask) + 1)...hi)
                        todo.append(lo...(lo | mask))
                        continue outer
                    }
                    if hi & mask != mask {
                        todo.append((hi & ~mask)...hi)
                        todo.append(lo...((hi & ~mask) - 1))
                        continue outer
                    }
                }
            }
            let (a, b) = (encode(lo), encode(hi))
            out.append(zip(a, b).map { $0...$1 })
        }
        return out.sorted { $0.count == $1.count ? $0[0].lowerBound < $1[0].lowerBound : $0.count < $1.count }
    }

    static func encode(_ c: UInt32) -> [UInt8] {
        switch c {
        case ..<0x80: [UInt8(c)]
        case ..<0x800: [UInt8(0xC0 | c >> 6), UInt8(0x80 | c & 0x3F)]
        case ..<0x10000: [UInt8(0xE0 | c >> 12), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        default: [UInt8(0xF0 | c >> 18), UInt8(0x80 | (c >> 12) & 0x3F), UInt8(0x80 | (c >> 6) & 0x3F), UInt8(0x80 | c & 0x3F)]
        }
    }

    // MARK: Checks

    /// Rejects rules that can reach themselves without consuming a byte.
    func checkLeftRecursion() throws(GrammarError) {
        let count = names.count
        var nullable = [Bool](repeating: false, count: count)
        var changed = true
        while changed {
            changed = false
            for r in 0..<count where !nullable[r] {
                if alternatives[r]!.contains(where: { $0.allSatisfy { isNullable($0, nullable) } }) {
                    nullable[r] = true
                    changed = true
                }
            }
        }
        // Edges r -> s when s can start r.
        var edges = [[Int]](repeating: [], count: count)
        for r in 0..<count {
            for alt in alternatives[r]! {
                for symbol in alt {
                    if case .rule(let s) = symbol { edges[r].append(s) }
                    if !isNullable(symbol, nullable) { break }
                }
            }
        }
        var color = [UInt8](repeating: 0, count: count)   // 0 new, 1 on path, 2 done
        for start in 0..<count where color[start] == 0 {
            var path: [(rule: Int, next: Int)] = [(start, 0)]
            color[start] = 1
            while let (r, next) = path.last {
                if next == edges[r].count {
                    color[r] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let s = edges[r][next]
                if color[s] == 1 {
                    // Name the cycle by its first user-written rule (helpers are named `rule-N`).
                    let cycle = path.map(\.rule).drop { $0 != s }
                    // Name the rule the user wrote: helpers are `rule-N` after the rule they came from.
                    let name = cycle.map { names[$0] }.first { !isHelperName($0) }
                    throw .leftRecursion(rule: name ?? String(names[s][..<names[s].lastIndex(of: "-")!]))
                }
                if color[s] == 0 {
                    color[s] = 1
                    path.append((s, 0))
                }
            }
        }
    }

    /// Helper rules are named `base-N`.
    private func isHelperName(_ name: String) -> Bool {
        guard let dash = name.lastIndex(of: "-") else { return false }
        let suffix = name[name.index(after: dash)...]
        return !suffix.isEmpty && suffix.allSatisfy(\.isNumber)
    }

    private func isNullable(_ symbol: Symbol, _ nullable: [Bool]) -> Bool {
        if case .rule(let s) = symbol { return nullable[s] }
        return false
    }
}
