// One constrained generation: the grammar state after the tokens accepted so far.

/// The state of one constrained generation.
///
/// A value type: copying a matcher forks the generation (for speculative checks), and the copies
/// share the grammar's memoized automaton, which is thread-safe.
public struct GrammarMatcher: Sendable {
    let automaton: Automaton
    public let vocabulary: GrammarVocabulary
    private(set) var state: Int32
    /// An end-of-generation token was accepted: nothing more is allowed.
    private(set) var hasEnded = false

    public init(grammar: Grammar, vocabulary: GrammarVocabulary) {
        automaton = grammar.automaton
        self.vocabulary = vocabulary
        state = grammar.automaton.initialState
    }

    /// Whether `token` may come next: a cheap check for the sampled token before masking everything.
    public func allows(_ token: Int32) -> Bool {
        guard !hasEnded, token >= 0, Int(token) < vocabulary.count else { return false }
        guard vocabulary.inTrie[Int(token)] else { return vocabulary.endOfGeneration.contains(token) && isComplete }
        return automaton.advance(state, vocabulary.tokenBytes(token)) >= 0
    }

    /// Sets the logits of every disallowed token to `-infinity`.
    ///
    /// Entries past the vocabulary (models often pad the output layer) are disallowed too.
    public func mask(_ logits: UnsafeMutableBufferPointer<Float>) {
        var allowed = [UInt64](repeating: 0, count: (max(logits.count, vocabulary.count) + 63) / 64)
        if !hasEnded {
            automaton.allowedTokens(vocabulary, from: state, into: &allowed)
            if isComplete {
                for token in vocabulary.endOfGeneration where Int(token) < vocabulary.count {
                    allowed[Int(token) >> 6] |= 1 << UInt64(token & 63)
                }
            }
        }
        allowed.withUnsafeBufferPointer { bits in
            for i in 0..<logits.count where bits[i >> 6] & (1 << UInt64(i & 63)) == 0 {
                logits[i] = -.infinity
            }
        }
    }

    /// Advances past `token`.
    /// - Throws: `GrammarError.tokenNotAllowed` if `allows(token)` is false; the matcher is unchanged then.
    public mutating func accept(_ token: Int32) throws(GrammarError) {
        guard allows(token) else { throw .tokenNotAllowed(token) }
        if vocabulary.inTrie[Int(token)] {
            state = automaton.advance(state, vocabulary.tokenBytes(token))
        } else {
            hasEnded = true
        }
    }

    /// The text so far is a full sentence of the grammar, so end-of-generation tokens are allowed.
    public var isComplete: Bool { hasEnded || automaton.isComplete(state) }

    /// Complete and no byte can follow: generation must end now.
    public var isFinished: Bool { hasEnded || automaton.isFinished(state) }

    /// Advances by raw bytes (tests and byte-level callers); false, leaving the matcher unchanged, if any is rejected.
    mutating func accept(bytes: some Sequence<UInt8>) -> Bool {
        guard !hasEnded else { return false }
        let next = automaton.advance(state, bytes)
        guard next >= 0 else { return false }
        state = next
        return true
    }
}

extension Automaton {
    /// The trie tokens allowed from `state` as bits, from the cache when this state was masked recently.
    ///
    /// Generation revisits states constantly (every token inside one JSON string leaves the same state),
    /// so a small per-grammar cache turns most masks into a copy.
    func allowedTokens(_ vocabulary: GrammarVocabulary, from state: Int32, into allowed: inout [UInt64]) {
        let words = (vocabulary.count + 63) / 64
        let cached: [UInt64]? = storage.withLock { storage in
            guard storage.maskVocabulary === vocabulary else { return nil }
            return storage.maskCache[state]
        }
        if let cached {
            for i in 0..<words { allowed[i] = cached[i] }
            return
        }
        allowed.withUnsafeMutableBufferPointer { walk(vocabulary, from: state, into: $0.baseAddress!) }
        let bits = Array(allowed[0..<words])
        storage.withLock { storage in
            if storage.maskVocabulary !== vocabulary || storage.maskCache.count >= Automaton.maskCacheSize {
                storage.maskCache.removeAll(keepingCapacity: true)
                storage.maskVocabulary = vocabulary
            }
            storage.maskCache[state] = bits
        }
    }

    /// Sets the bit of every trie token whose bytes the grammar accepts from `state`.
    ///
    /// One pass over the trie in preorder: a node's state is its parent's advanced by the node's byte,
    /// and a dead node jumps past its subtree. Transitions are memoized, so a walk through known states
    /// costs one table load per visited node; the pass pauses only to compute a transition never seen.
    func walk(_ vocabulary: GrammarVocabulary, from state: Int32, into allowed: UnsafeMutablePointer<UInt64>) {
        storage.withLock { storage in
            var stateAt = [Int32](repeating: 0, count: vocabulary.maxDepth + 1)   // row offsets
            stateAt[0] = state * Int32(storage.classCount)
            var i = 0
            while i < vocabulary.nodes.count {
                let missing = storage.transitions.withUnsafeBufferPointer { table in
                    storage.selfLoops.withUnsafeBufferPointer { selfLoops in
                        storage.selfLoopsKnown.withUnsafeBufferPointer { selfLoopsKnown in
                            Automaton.walk(vocabulary, from: &i, states: &stateAt, table: table, selfLoops: selfLoops,
                                           selfLoopsKnown: selfLoopsKnown, classCount: storage.classCount,
                                           classOf: program.classOf, into: allowed)
                        }
                    }
                }
                switch missing {
                case .transition(let row, let byte)?: _ = storage.transition(row / Int32(storage.classCount), byte)
                case .selfLoops(let state)?: storage.computeSelfLoops(state)
                case nil: break
                }
            }
        }
    }

    private enum Missing { case transition(Int32, UInt8), selfLoops(Int32) }

    /// The walk over known transitions from node `i`; returns the first thing to compute, leaving `i` at its node.
    ///
    /// When a byte leads back to the same state (text inside a JSON string) and every byte below the node
    /// does too, the whole subtree is allowed at once: this halves the nodes visited inside strings.
    private static func walk(
        _ vocabulary: GrammarVocabulary, from i: inout Int, states: inout [Int32], table: UnsafeBufferPointer<Int32>,
        selfLoops: UnsafeBufferPointer<UInt64>, selfLoopsKnown: UnsafeBufferPointer<Bool>, classCount: Int,
        classOf: [UInt8], into allowed: UnsafeMutablePointer<UInt64>
    ) -> Missing? {
        vocabulary.subtreeBytes.withUnsafeBufferPointer { subtreeBytes in
        vocabulary.nodes.withUnsafeBufferPointer { nodes in
        vocabulary.firstToken.withUnsafeBufferPointer { firstToken in
        vocabulary.nodeTokens.withUnsafeBufferPointer { nodeTokens in
        classOf.withUnsafeBufferPointer { classOf in
        states.withUnsafeMutableBufferPointer { stateAt in
            let n = nodes.count
            var index = i
            defer { i = index }
            while index < n {
                let node = nodes[index]
                let depth = Int(node.depth)
                let row = stateAt[depth - 1]
                let t = table[Int(row) + Int(classOf[Int(node.byte)])]
                if t < 0 {
                    if t == Automaton.unknown { return .transition(row, node.byte) }
                    index = Int(node.skip)
                    continue
                }
                if t == row {
                    let state = Int(row) / classCount
                    guard selfLoopsKnown[state] else { return .selfLoops(Int32(state)) }
                    let loop = 4 * state, sub = 4 * index
                    if subtreeBytes[sub] & ~selfLoops[loop] | subtreeBytes[sub + 1] & ~selfLoops[loop + 1]
                        | subtreeBytes[sub + 2] & ~selfLoops[loop + 2] | subtreeBytes[sub + 3] & ~selfLoops[loop + 3] == 0 {
                        let skip = Int(node.skip)
                        for k in Int(firstToken[index])..<Int(firstToken[skip]) {
                            let token = nodeTokens[k]
                            allowed[Int(token >> 6)] |= 1 << UInt64(token & 63)
                        }
                        index = skip
                        continue
                    }
                }
                stateAt[depth] = t
                var k = Int(firstToken[index])
                let end = Int(firstToken[index + 1])
                while k < end {
                    let token = nodeTokens[k]
                    allowed[Int(token >> 6)] |= 1 << UInt64(token & 63)
                    k += 1
                }
                index += 1
            }
            return nil
        }}}}}}
    }
}
