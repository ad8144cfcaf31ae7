#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sampling settings, with llama.cpp's names, meanings and defaults.
///
/// A setting at its "off" value (`topK` 0, `topP` 1, `minP` 0, `typicalP` 1,
/// `repeatPenalty` 1, penalties 0) leaves its step out of the chain.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 picks the most likely token every time (greedy); other steps then do nothing.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens.
    public var topK: Int
    /// Keep the most likely tokens whose probabilities add up to `topP` (nucleus sampling).
    public var topP: Float
    /// Keep tokens at least `minP` times as likely as the most likely one.
    public var minP: Float
    /// Locally typical sampling: keep the tokens closest to the expected surprise, up to this mass.
    public var typicalP: Float
    /// Divides positive logits (multiplies negative ones) of tokens seen in the last `repeatLastN`.
    public var repeatPenalty: Float
    /// How many recent tokens (prompt included) the penalties look at; -1 means the whole context.
    public var repeatLastN: Int
    /// Subtracted once from the logit of every token seen in the window (OpenAI's `presence_penalty`).
    public var presencePenalty: Float
    /// Subtracted per occurrence in the window (OpenAI's `frequency_penalty`).
    public var frequencyPenalty: Float
    /// Added to the logits of these tokens before anything else; `-infinity` bans a token.
    public var logitBias: [Int32: Float]

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                typicalP: Float = 1, repeatPenalty: Float = 1, repeatLastN: Int = 64,
                presencePenalty: Float = 0, frequencyPenalty: Float = 0, logitBias: [Int32: Float] = [:]) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.typicalP = typicalP
        self.repeatPenalty = repeatPenalty
        self.repeatLastN = repeatLastN
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.logitBias = logitBias
    }

    /// Always the most likely token.
    public static let greedy = SamplingParameters(temperature: 0)
}

/// Picks the next token from logits through llama.cpp's default chain: logit bias,
/// repetition/presence/frequency penalties, top-k, typical, top-p, min-p,
/// temperature, then a seeded draw.
///
/// The draw depends only on the logits, the history and the seed, so the same
/// seed gives the same tokens on every run and thread count.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    private var random: Xoshiro256
    // Buffers reused between calls, so that sampling a token allocates nothing once warm.
    /// The logits after bias and penalties.
    private var adjusted: [Float] = []
    /// The tokens still in the running.
    private var candidates: [Candidate] = []
    private var spare: [Candidate] = []
    private var weights: [Double] = []
    private var keys: [Float] = []
    private var order: [Int] = []
    private var seen: [Int32: Int] = [:]

    /// A token still in the running, with its (adjusted) logit.
    public struct Candidate: Sendable, Equatable {
        public var id: Int32
        public var logit: Float
    }

    public init(_ parameters: SamplingParameters, seed: UInt64) {
        self.parameters = parameters
        random = Xoshiro256(seed: seed)
    }

    /// The next token after `history` (the context so far, which the penalties look at).
    public mutating func sample<History: BidirectionalCollection<Int32>>(
        _ logits: UnsafeBufferPointer<Float>, history: History
    ) -> Int32 {
        adjust(logits, history: history)
        if parameters.temperature <= 0 {
            return adjusted.withUnsafeBufferPointer { Self.argmax($0) }
        }
        filter()
        let maximum = Self.maximumLogit(candidates), temperature = parameters.temperature
        var total = 0.0
        for candidate in candidates { total += Double(expf((candidate.logit - maximum) / temperature)) }
        var target = random.nextUnitDouble() * total
        for candidate in candidates {
            target -= Double(expf((candidate.logit - maximum) / temperature))
            if target < 0 { return candidate.id }
        }
        return candidates[0].id   // rounding left a sliver past the end
    }

    /// The distribution the draw picks from after `history`: tokens with their probabilities, most likely first.
    /// At temperature 0 it is the argmax alone.
    public mutating func distribution<History: BidirectionalCollection<Int32>>(
        _ logits: UnsafeBufferPointer<Float>, history: History
    ) -> [(id: Int32, probability: Double)] {
        adjust(logits, history: history)
        if parameters.temperature <= 0 {
            return [(adjusted.withUnsafeBufferPointer { Self.argmax($0) }, 1)]
        }
        filter()
        var kept = candidates
        Self.sortMostLikelyFirst(&kept)
        let weights = kept.map { exp(Double($0.logit - kept[0].logit) / Double(parameters.temperature)) }
        let sum = weights.reduce(0, +)
        return zip(kept, weights).map { ($0.id, $1 / sum) }
    }

    /// The index of the largest logit (the first one on ties, as llama.cpp).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        var best = 0
        var bestValue = -Float.infinity
        for i in 0..<logits.count where logits[i] > bestValue {
            best = i
            bestValue = logits[i]
        }
        return Int32(best)
    }

    // MARK: - The chain

    /// Copies `logits` into `adjusted`, then applies the logit bias and the penalties.
    private mutating func adjust<History: BidirectionalCollection<Int32>>(_ logits: UnsafeBufferPointer<Float>, history: History) {
        if adjusted.count != logits.count { adjusted = Array(repeating: 0, count: logits.count) }
        adjusted.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: logits.baseAddress!, count: logits.count) }
        let n = logits.count
        for (id, bias) in parameters.logitBias where id >= 0 && Int(id) < n { adjusted[Int(id)] += bias }

        let p = parameters
        guard p.repeatLastN != 0, p.repeatPenalty != 1 || p.presencePenalty != 0 || p.frequencyPenalty != 0 else { return }
        let window = p.repeatLastN < 0 ? history.count : min(p.repeatLastN, history.count)
        seen.removeAll(keepingCapacity: true)
        seen.reserveCapacity(window)
        for id in history.suffix(window) where id >= 0 && Int(id) < n { seen[id, default: 0] += 1 }
        for (id, count) in seen {
            var logit = adjusted[Int(id)]
            if p.repeatPenalty != 1 { logit = logit <= 0 ? logit * p.repeatPenalty : logit / p.repeatPenalty }
            logit -= Float(count) * p.frequencyPenalty + p.presencePenalty
            adjusted[Int(id)] = logit
        }
    }

    /// Runs top-k, typical, top-p and min-p over `adjusted`, leaving the survivors (in no promised
    /// order) in `candidates`.
    ///
    /// Without top-k the candidates are the whole vocabulary, so the steps that need an order
    /// (typical, top-p) first find, in linear passes, a small neighbourhood that provably holds
    /// their result, and sort only that.
    private mutating func filter() {
        let p = parameters
        adjusted.withUnsafeBufferPointer { logits in
            if p.topK > 0 && p.topK < logits.count {
                Self.selectTop(p.topK, of: logits, into: &candidates)
                // Banned (-inf) tokens are left out unless all are.
                let finite = candidates.firstIndex { $0.logit == -.infinity } ?? candidates.count
                candidates.removeSubrange(max(1, finite)...)
            } else {
                Self.selectFinite(logits, into: &candidates)
            }
        }
        if p.typicalP < 1 { keepTypical(mass: Double(p.typicalP)) }
        if p.topP < 1 { keepNucleus(mass: Double(p.topP)) }
        if p.minP > 0 {
            // p ≥ minP · pmax  ⇔  logit ≥ maxLogit + log(minP)
            let floor = Self.maximumLogit(candidates) + logf(p.minP)
            candidates.removeAll { $0.logit < floor }
        }
    }

    /// The `k` largest logits into `best`, largest first (lower id first on ties).
    static func selectTop(_ k: Int, of logits: UnsafeBufferPointer<Float>, into best: inout [Candidate]) {
        best.removeAll(keepingCapacity: true)
        guard k > 0 else { return }
        best.reserveCapacity(k + 1)
        for i in 0..<logits.count {
            let value = logits[i]
            if best.count == k, let last = best.last, value <= last.logit { continue }
            let at = best.firstIndex { value > $0.logit } ?? best.count
            best.insert(Candidate(id: Int32(i), logit: value), at: at)
            if best.count > k { best.removeLast() }
        }
    }

    /// Every token whose logit is not -inf (all of them if none is), by id, into `all`.
    static func selectFinite(_ logits: UnsafeBufferPointer<Float>, into all: inout [Candidate]) {
        all.removeAll(keepingCapacity: true)
        all.reserveCapacity(logits.count)
        for i in 0..<logits.count where logits[i] > -.infinity { all.append(Candidate(id: Int32(i), logit: logits[i])) }
        if all.isEmpty { all.append(Candidate(id: 0, logit: logits[0])) }
    }

    static func maximumLogit(_ candidates: [Candidate]) -> Float {
        candidates.reduce(-Float.infinity) { max($0, $1.logit) }
    }

    /// Most likely first, lower id first on ties: the order llama.cpp's samplers sort into.
    static func sortMostLikelyFirst(_ candidates: inout [Candidate]) {
        heapSort(&candidates) { $0.logit > $1.logit || ($0.logit == $1.logit && $0.id < $1.id) }
    }

    /// Top-p: the shortest most-likely-first run of candidates whose probability reaches `mass`.
    private mutating func keepNucleus(mass: Double) {
        let maximum = Self.maximumLogit(candidates)
        reserveScratch()
        for candidate in candidates {
            weights.append(Double(expf(candidate.logit - maximum)))
            // Only candidates near the maximum can be in the run, once those near ones hold the mass.
            keys.append(maximum - candidate.logit)
        }
        keepSmallestKeys(mass: mass, initialRadius: 1)
        Self.sortMostLikelyFirst(&candidates)
    }

    /// Locally typical sampling (Meister et al. 2022): keep the candidates whose surprise `-log p`
    /// is closest to the entropy until they hold `mass`.
    private mutating func keepTypical(mass: Double) {
        let maximum = Self.maximumLogit(candidates)
        reserveScratch()
        var total = 0.0, weighted = 0.0
        for candidate in candidates {
            let weight = Double(expf(candidate.logit - maximum))
            weights.append(weight)
            total += weight
            weighted += weight * Double(candidate.logit - maximum)
        }
        // -log p = log Z - (logit - max) and H = log Z - E[logit - max], so |-log p - H| = |logit - centre|.
        let centre = Double(maximum) + weighted / total
        for candidate in candidates { keys.append(Float(abs(Double(candidate.logit) - centre))) }
        keepSmallestKeys(mass: mass, initialRadius: 0.5)
        Self.sortMostLikelyFirst(&candidates)
    }

    /// Empties the per-candidate scratch with room for every candidate, so it grows at most once
    /// per size of the candidate set (once for the whole vocabulary) rather than token by token.
    private mutating func reserveScratch() {
        let count = candidates.count
        weights.removeAll(keepingCapacity: true)
        weights.reserveCapacity(count)
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(count)
        order.removeAll(keepingCapacity: true)
        order.reserveCapacity(count)
        spare.removeAll(keepingCapacity: true)
        spare.reserveCapacity(count)
    }

    /// Keeps the candidates of smallest `keys` (lower id first on ties) until their `weights` reach
    /// `mass` of the total. Sorts only those within a radius that doubles until it holds the mass,
    /// so a whole vocabulary costs a few linear passes and a small sort.
    private mutating func keepSmallestKeys(mass: Double, initialRadius: Float) {
        let target = mass * weights.reduce(0, +)
        var radius = initialRadius
        while radius < 1e4 {
            var inside = 0.0
            for i in keys.indices where keys[i] <= radius { inside += weights[i] }
            if inside >= target { break }
            radius *= 2
        }
        for i in keys.indices where keys[i] <= radius || radius >= 1e4 { order.append(i) }
        let keys = self.keys, candidates = self.candidates
        Self.heapSort(&order) { (keys[$0], candidates[$0].id) < (keys[$1], candidates[$1].id) }
        var cumulative = 0.0
        let end = order.firstIndex { cumulative += weights[$0]; return cumulative >= target } ?? (order.count - 1)
        for i in order[...end] { spare.append(candidates[i]) }
        swap(&self.candidates, &spare)
    }

    /// Sorts in place without allocating (the standard library's sort takes a scratch buffer for
    /// more than a few elements). `precedes` must be a strict total order, so stability is moot.
    static func heapSort<Element>(_ a: inout [Element], by precedes: (Element, Element) -> Bool) {
        a.withUnsafeMutableBufferPointer { a in
            func siftDown(_ start: Int, _ end: Int) {
                var root = start
                while 2 * root + 1 < end {
                    var child = 2 * root + 1
                    if child + 1 < end && precedes(a[child], a[child + 1]) { child += 1 }
                    guard precedes(a[root], a[child]) else { return }
                    a.swapAt(root, child)
                    root = child
                }
            }
            for start in stride(from: a.count / 2 - 1, through: 0, by: -1) { siftDown(start, a.count) }
            for end in stride(from: a.count - 1, to: 0, by: -1) {
                a.swapAt(0, end)
                siftDown(0, end)
            }
        }
    }
}
