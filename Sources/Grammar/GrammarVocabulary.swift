// The vocabulary as a byte trie in flat arrays, built once per model and shared by every matcher.

/// Token bytes of a vocabulary, preprocessed once into a trie and shared by all matchers of one model.
///
/// Computing a mask walks the trie depth first while advancing the grammar, so a rejected byte
/// prunes every token that starts with the same prefix at once.
public final class GrammarVocabulary: Sendable {
    /// Trie nodes in depth-first preorder, root excluded. A node's subtree is `index ..< skip`.
    struct Node: Sendable {
        var skip: Int32
        var depth: UInt16     // 1 for children of the root
        var byte: UInt8
    }

    let nodes: [Node]
    /// Tokens ending at node i are `nodeTokens[firstToken[i] ..< firstToken[i + 1]]`.
    let firstToken: [Int32]
    let nodeTokens: [Int32]
    let maxDepth: Int
    /// Bytes occurring in node i's subtree (itself included), as 4 words at `4 * i`: a state that loops
    /// on all of them (inside a JSON string) accepts the whole subtree without walking it.
    let subtreeBytes: [UInt64]
    /// All tokens' bytes, token i being `bytes[offsets[i] ..< offsets[i + 1]]`.
    let bytes: [UInt8]
    let offsets: [Int32]
    let excluded: Set<Int32>
    let endOfGeneration: Set<Int32>
    /// Tokens reachable through the trie (not excluded, not end-of-generation, not empty).
    let inTrie: [Bool]

    public var count: Int { offsets.count - 1 }

    /// - Parameters:
    ///   - tokens: `tokens[i]` is the bytes token `i` decodes to (partial UTF-8 is fine).
    ///   - excluded: ids a grammar never allows (control and special tokens). Empty tokens are excluded too,
    ///     since accepting one would not move the grammar forward.
    ///   - endOfGeneration: ids allowed exactly when the grammar is complete (they end generation).
    public init(tokens: [[UInt8]], excluded: Set<Int32>, endOfGeneration: Set<Int32>) {
        self.excluded = excluded
        self.endOfGeneration = endOfGeneration
        var bytes: [UInt8] = [], offsets: [Int32] = [0]
        for token in tokens {
            bytes += token
            offsets.append(Int32(bytes.count))
        }
        self.bytes = bytes
        self.offsets = offsets

        let inTrie = tokens.indices.map { i in
            !tokens[i].isEmpty && !excluded.contains(Int32(i)) && !endOfGeneration.contains(Int32(i))
        }
        self.inTrie = inTrie
        let order = tokens.indices.filter { inTrie[$0] }.sorted { tokens[$0].lexicographicallyPrecedes(tokens[$1]) }

        // Sorted order is preorder: each token reuses its common prefix with the previous one. A token
        // ends at the deepest node of its path, and those nodes never decrease, so tokens form runs per node.
        var nodes: [Node] = [], tokensAt: [Int32] = [], nodeTokens: [Int32] = []
        var path: [Int] = []          // node index at each depth of the current token
        var previous: [UInt8] = []
        for id in order {
            let token = tokens[id]
            var common = 0
            while common < min(token.count, previous.count), token[common] == previous[common] { common += 1 }
            while path.count > common { nodes[path.removeLast()].skip = Int32(nodes.count) }
            for depth in common..<token.count {
                path.append(nodes.count)
                nodes.append(Node(skip: 0, depth: UInt16(depth + 1), byte: token[depth]))
                tokensAt.append(0)
            }
            tokensAt[path.last!] += 1
            nodeTokens.append(Int32(id))
            previous = token
        }
        while let last = path.popLast() { nodes[last].skip = Int32(nodes.count) }
        var firstToken: [Int32] = [0]
        for n in tokensAt { firstToken.append(firstToken.last! + n) }
        self.nodes = nodes
        self.firstToken = firstToken
        self.nodeTokens = nodeTokens
        self.maxDepth = nodes.lazy.map { Int($0.depth) }.max() ?? 0
        var subtreeBytes = [UInt64](repeating: 0, count: 4 * nodes.count)
        for i in nodes.indices.reversed() {
            subtreeBytes[4 * i + Int(nodes[i].byte >> 6)] |= 1 << UInt64(nodes[i].byte & 63)
            var child = i + 1
            while child < Int(nodes[i].skip) {
                for w in 0..<4 { subtreeBytes[4 * i + w] |= subtreeBytes[4 * child + w] }
                child = Int(nodes[child].skip)
            }
        }
        self.subtreeBytes = subtreeBytes
    }

    func tokenBytes(_ token: Int32) -> ArraySlice<UInt8> {
        bytes[Int(offsets[Int(token)])..<Int(offsets[Int(token) + 1])]
    }
}
