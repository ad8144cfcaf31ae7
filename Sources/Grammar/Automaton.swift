// The pushdown automaton of llama.cpp's llama-grammar.cpp (a set of stacks of grammar positions),
// determinized lazily: each distinct set of stacks becomes a state id, and transitions between
// states are memoized per byte class. A mask walk over the vocabulary trie then costs one table
// load per trie node once the states it visits have been seen.

import Synchronization

/// States and transitions of one grammar, shared by all its matchers and grown on demand.
final class Automaton: Sendable {
    static let dead: Int32 = -1
    static let unknown: Int32 = -2
    /// The empty stack: the root rule is complete.
    static let emptyStack: Int32 = -1
    /// Masks kept per grammar: 64 × 19 KB for Qwen2's vocabulary.
    static let maskCacheSize = 64

    let program: Program
    let initialState: Int32
    let storage: Mutex<Storage>

    init(_ program: Program) {
        self.program = program
        var storage = Storage(program)
        initialState = storage.initialState()
        self.storage = Mutex(storage)
    }

    /// Follows `bytes` from `state`; `dead` when the grammar rejects one of them.
    func advance(_ state: Int32, _ bytes: some Sequence<UInt8>) -> Int32 {
        storage.withLock { storage in
            var s = state
            for b in bytes where s >= 0 { s = storage.transition(s, b) }
            return s
        }
    }

    func isComplete(_ state: Int32) -> Bool { storage.withLock { $0.complete[Int(state)] } }
    func isFinished(_ state: Int32) -> Bool { storage.withLock { $0.finished[Int(state)] } }

    /// Stacks (innermost position last) of a state, for tests.
    func stacks(_ state: Int32) -> [[Int32]] {
        storage.withLock { storage in
            storage.stateStacks[Int(state)].map { stack in
                var positions: [Int32] = [], s = stack
                while s >= 0 { positions.append(storage.stackPosition[Int(s)]); s = storage.stackParent[Int(s)] }
                return positions.reversed()
            }
        }
    }

    /// Fewest bytes that complete the grammar from `state` (0 when complete).
    func distanceToCompletion(_ state: Int32) -> Int {
        storage.withLock { storage in
            storage.stateStacks[Int(state)].map { stack in
                var total = 0, s = stack
                while s >= 0 {
                    total += program.minimumRest[Int(storage.stackPosition[Int(s)])]
                    s = storage.stackParent[Int(s)]
                }
                return total
            }.min() ?? Int.max
        }
    }

    struct Storage: Sendable {
        let program: Program
        let classCount: Int
        // Stacks are hash-consed linked lists: equal stacks have equal ids, so state sets dedup by id.
        var stackPosition: [Int32] = []
        var stackParent: [Int32] = []
        var stackIDs: [UInt64: Int32] = [:]
        // States: sorted stack ids, with a transition row of `classCount` entries each. A row holds
        // the next state's row offset (state * classCount), saving a multiply in the mask walk.
        var stateStacks: [[Int32]] = []
        var stateIDs: [[Int32]: Int32] = [:]
        var transitions: [Int32] = []
        var complete: [Bool] = []
        var finished: [Bool] = []
        /// Per state, 4 words: the bytes that lead back to the same state; all zero until computed.
        var selfLoops: [UInt64] = []
        var selfLoopsKnown: [Bool] = []
        // Allowed-token bits by state, for the vocabulary last masked with.
        var maskCache: [Int32: [UInt64]] = [:]
        var maskVocabulary: GrammarVocabulary?

        init(_ program: Program) {
            self.program = program
            classCount = program.classCount
        }

        mutating func initialState() -> Int32 {
            var out: [Int32] = []
            var visited = Set<Int32>()
            for start in program.ruleStarts[program.root] {
                normalize(stack(start, Automaton.emptyStack), into: &out, visited: &visited)
            }
            return state(out)
        }

        mutating func transition(_ state: Int32, _ byte: UInt8) -> Int32 {
            let index = Int(state) * classCount + Int(program.classOf[Int(byte)])
            var t = transitions[index]
            if t == Automaton.unknown {
                let next = compute(state, byte)
                t = next < 0 ? next : next * Int32(classCount)
                transitions[index] = t
            }
            return t < 0 ? t : t / Int32(classCount)
        }

        mutating func computeSelfLoops(_ state: Int32) {
            for b in 0...255 where transition(state, UInt8(b)) == state {
                selfLoops[4 * Int(state) + b >> 6] |= 1 << UInt64(b & 63)
            }
            selfLoopsKnown[Int(state)] = true
        }

        private mutating func compute(_ state: Int32, _ byte: UInt8) -> Int32 {
            var out: [Int32] = []
            var visited = Set<Int32>()
            for s in stateStacks[Int(state)] where s != Automaton.emptyStack {
                let p = stackPosition[Int(s)]
                guard program.sets[Int(program.elements[Int(p)])].contains(byte) else { continue }
                normalize(continuation(p + 1, stackParent[Int(s)]), into: &out, visited: &visited)
            }
            return out.isEmpty ? Automaton.dead : self.state(out)
        }

        /// The stack that resumes at `position` then returns to `parent`; skips finished
        /// alternatives so right recursion (`x ::= a x | `) does not grow the stack.
        private mutating func continuation(_ position: Int32, _ parent: Int32) -> Int32 {
            program.elements[Int(position)] == Program.end ? parent : stack(position, parent)
        }

        /// Expands rule references on top of `s` until every stack has a byte set on top (or is empty).
        private mutating func normalize(_ s: Int32, into out: inout [Int32], visited: inout Set<Int32>) {
            guard visited.insert(s).inserted else { return }
            if s == Automaton.emptyStack { out.append(s); return }
            let p = stackPosition[Int(s)]
            let element = program.elements[Int(p)]
            if element >= 0 {
                out.append(s)
            } else if element == Program.end {
                normalize(stackParent[Int(s)], into: &out, visited: &visited)
            } else {
                let next = continuation(p + 1, stackParent[Int(s)])
                for start in program.ruleStarts[Int(-2 - element)] {
                    normalize(stack(start, next), into: &out, visited: &visited)
                }
            }
        }

        private mutating func stack(_ position: Int32, _ parent: Int32) -> Int32 {
            let key = UInt64(UInt32(bitPattern: position)) << 32 | UInt64(UInt32(bitPattern: parent))
            if let id = stackIDs[key] { return id }
            let id = Int32(stackPosition.count)
            stackPosition.append(position)
            stackParent.append(parent)
            stackIDs[key] = id
            return id
        }

        private mutating func state(_ stacks: [Int32]) -> Int32 {
            let sorted = stacks.sorted()
            if let id = stateIDs[sorted] { return id }
            let id = Int32(stateStacks.count)
            stateStacks.append(sorted)
            stateIDs[sorted] = id
            transitions.append(contentsOf: repeatElement(Automaton.unknown, count: classCount))
            complete.append(sorted.first == Automaton.emptyStack)
            finished.append(sorted == [Automaton.emptyStack])
            selfLoops.append(contentsOf: [0, 0, 0, 0])
            selfLoopsKnown.append(false)
            return id
        }
    }
}
