// Rules flattened into one array of elements, the form the automaton runs on.

/// A compiled grammar: alternatives laid end to end, each closed by an `end` element.
///
/// `elements[p]` is a byte-set index (>= 0), `end` (-1) or a rule reference (`-2 - rule`).
/// Bytes are grouped into classes that every set treats alike, so transition rows are
/// `classCount` wide instead of 256.
struct Program: Sendable {
    static let end: Int32 = -1

    var elements: [Int32] = []
    var ruleStarts: [[Int32]] = []      // per rule: the position of each alternative
    var sets: [ByteSet] = []
    var root: Int
    var ruleNames: [String]
    var classOf: [UInt8] = []           // byte -> class
    var classBytes: [UInt8] = []        // class -> one byte of it
    /// Fewest bytes that complete the alternative from each position (for tests' random walks).
    var minimumRest: [Int] = []

    init(_ rules: RuleSet, root: Int) {
        self.root = root
        ruleNames = rules.names
        var setIndex: [ByteSet: Int32] = [:]
        for alternatives in rules.alternatives {
            var starts: [Int32] = []
            for alternative in alternatives ?? [] {
                starts.append(Int32(elements.count))
                for symbol in alternative {
                    switch symbol {
                    case .bytes(let set):
                        if let i = setIndex[set] {
                            elements.append(i)
                        } else {
                            setIndex[set] = Int32(sets.count)
                            elements.append(Int32(sets.count))
                            sets.append(set)
                        }
                    case .rule(let r):
                        elements.append(-2 - Int32(r))
                    }
                }
                elements.append(Program.end)
            }
            ruleStarts.append(starts)
        }
        buildByteClasses()
        computeMinimumRest()
    }

    private mutating func buildByteClasses() {
        var classes: [[Int]: UInt8] = [:]
        for b in 0...255 {
            let signature = sets.indices.filter { sets[$0].contains(UInt8(b)) }
            if let c = classes[signature] {
                classOf.append(c)
            } else {
                let c = UInt8(classBytes.count)   // at most 256 classes, one per byte
                classes[signature] = c
                classOf.append(c)
                classBytes.append(UInt8(b))
            }
        }
    }

    var classCount: Int { classBytes.count }

    private mutating func computeMinimumRest() {
        let infinity = Int.max / 4
        var ruleMinimum = [Int](repeating: infinity, count: ruleStarts.count)
        func rest(_ p: Int) -> Int {
            var total = 0, p = p
            while elements[p] != Program.end {
                let e = elements[p]
                total = min(total + (e >= 0 ? 1 : ruleMinimum[Int(-2 - e)]), infinity)
                p += 1
            }
            return min(total, infinity)
        }
        var changed = true
        while changed {
            changed = false
            for r in ruleStarts.indices {
                let best = ruleStarts[r].map { rest(Int($0)) }.min() ?? infinity
                if best < ruleMinimum[r] { ruleMinimum[r] = best; changed = true }
            }
        }
        minimumRest = elements.indices.map { elements[$0] == Program.end ? 0 : rest($0) }
    }
}
