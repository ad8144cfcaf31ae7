import Foundation
import Testing
@testable import Kinglet

/// Each step of the sampler chain against a distribution computed here, step by step, in Double.
struct SamplerTests {
    // Ten tokens; ids 3 and 7 tie.
    let logits: [Float] = [1.0, 3.5, -2.0, 2.25, 0.5, 4.0, -1.0, 2.25, 0.0, 3.0]

    /// softmax(logits / temperature) over `ids`, most likely first.
    func softmax(_ values: [Float], ids: [Int], temperature: Double = 1) -> [(id: Int, p: Double)] {
        let sorted = ids.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        let m = Double(values[sorted[0]])
        let w = sorted.map { exp((Double(values[$0]) - m) / temperature) }
        let s = w.reduce(0, +)
        return zip(sorted, w).map { ($0, $1 / s) }
    }

    /// The ids of the shortest prefix of `ordered` whose probabilities reach `mass`.
    func prefix(_ ordered: [(id: Int, p: Double)], reaching mass: Double) -> [Int] {
        var cumulative = 0.0
        var ids: [Int] = []
        for (id, p) in ordered where cumulative < mass {
            ids.append(id)
            cumulative += p
        }
        return ids
    }

    func distribution(_ parameters: SamplingParameters, logits: [Float]? = nil, history: [Int32] = []) -> [(id: Int32, probability: Double)] {
        var sampler = Sampler(parameters, seed: 1)
        return (logits ?? self.logits).withUnsafeBufferPointer { sampler.distribution($0, history: history) }
    }

    func expectSame(_ got: [(id: Int32, probability: Double)], _ want: [(id: Int, p: Double)],
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.map { Int($0.id) } == want.map(\.id), sourceLocation: sourceLocation)
        for (g, w) in zip(got, want) { #expect(abs(g.probability - w.p) < 1e-6, sourceLocation: sourceLocation) }
    }

    let off = SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0)

    @Test func noFiltersIsThePlainSoftmax() {
        expectSame(distribution(off), softmax(logits, ids: Array(0..<10)))
    }

    @Test func temperatureScalesTheLogits() {
        var p = off
        p.temperature = 0.5
        expectSame(distribution(p), softmax(logits, ids: Array(0..<10), temperature: 0.5))
    }

    @Test func topKKeepsTheKLargestWithTiesByLowerId() {
        var p = off
        p.topK = 4
        expectSame(distribution(p), softmax(logits, ids: [5, 1, 9, 3]))
    }

    @Test func topPKeepsTheShortestPrefixReachingTheMass() {
        let full = softmax(logits, ids: Array(0..<10))
        for mass in [0.3, 0.6, 0.8, 0.95, 0.999] {
            let keep = prefix(full, reaching: mass)
            var p = off
            p.topP = Float(mass)
            expectSame(distribution(p), softmax(logits, ids: keep))
        }
    }

    @Test func minPKeepsTokensAtLeastAFractionOfTheBest() {
        let full = softmax(logits, ids: Array(0..<10))
        for fraction in [0.05, 0.2, 0.5, 0.9] {
            let keep = full.filter { $0.p >= fraction * full[0].p }.map(\.id)
            var p = off
            p.minP = Float(fraction)
            expectSame(distribution(p), softmax(logits, ids: keep))
        }
    }

    @Test func typicalKeepsTokensNearTheEntropy() {
        let full = softmax(logits, ids: Array(0..<10))
        let entropy = -full.reduce(0) { $0 + $1.p * log($1.p) }
        let byShift = full.sorted { (abs(-log($0.p) - entropy), $0.id) < (abs(-log($1.p) - entropy), $1.id) }
        let keep = prefix(byShift, reaching: 0.5)
        var p = off
        p.typicalP = 0.5
        expectSame(distribution(p), softmax(logits, ids: keep))
    }

    @Test func penaltiesFollowLlamaCppOverTheWindow() {
        // Window of the last 4: tokens 5 (twice), 2 and 9; token 1 is older and not penalized.
        let history: [Int32] = [1, 1, 5, 2, 9, 5]
        var p = off
        p.repeatPenalty = 1.5
        p.repeatLastN = 4
        p.presencePenalty = 0.25
        p.frequencyPenalty = 0.5
        var want = logits
        for (id, count) in [(5, 2), (2, 1), (9, 1)] {
            var l = want[id]
            l = l <= 0 ? l * 1.5 : l / 1.5
            want[id] = l - Float(count) * 0.5 - 0.25
        }
        expectSame(distribution(p, history: history), softmax(want, ids: Array(0..<10)))
    }

    @Test func logitBiasComesFirstAndMinusInfinityBans() {
        var p = off
        p.topK = 2
        p.logitBias = [5: -.infinity, 0: 10]
        var want = logits
        want[0] += 10
        expectSame(distribution(p), softmax(want, ids: [0, 1]))
    }

    @Test func theChainRunsInLlamaCppOrder() {
        // top-k 5 → top-p 0.9 over those five → min-p 0.2 → temperature 0.7.
        var p = SamplingParameters(temperature: 0.7, topK: 5, topP: 0.9, minP: 0.2)
        let afterK = softmax(logits, ids: [5, 1, 9, 3, 7])
        let afterP = prefix(afterK, reaching: 0.9)
        let probs = softmax(logits, ids: afterP)
        let afterMin = probs.filter { $0.p >= 0.2 * probs[0].p }.map(\.id)
        expectSame(distribution(p), softmax(logits, ids: afterMin, temperature: 0.7))
        p.temperature = 0
        #expect(distribution(p).map(\.id) == [5])
    }

    @Test func nucleusOverAFullVocabularySortsOnlyWhatItNeeds() {
        // 150k tokens: most far below the top, so only the nearby ones are sorted; the result must equal a full sort.
        var random = Xoshiro256(seed: 7)
        var big = (0..<150_000).map { _ in Float(random.nextUnitDouble() * 10 - 30) }
        for i in stride(from: 0, to: 150_000, by: 997) { big[i] = Float(random.nextUnitDouble() * 8) }
        var p = off
        p.topP = 0.9
        let got = distribution(p, logits: big)
        let full = softmax(big, ids: Array(0..<big.count))
        let keep = prefix(full, reaching: 0.9)
        expectSame(got, softmax(big, ids: keep))
    }

    @Test func typicalOverAFullVocabularyEqualsAFullSort() {
        var random = Xoshiro256(seed: 11)
        var big = (0..<150_000).map { _ in Float(random.nextUnitDouble() * 12 - 24) }
        for i in stride(from: 0, to: 150_000, by: 389) { big[i] = Float(random.nextUnitDouble() * 6) }
        var p = off
        p.typicalP = 0.9
        let full = softmax(big, ids: Array(0..<big.count))
        let entropy = -full.reduce(0) { $0 + $1.p * log($1.p) }
        let byShift = full.sorted { (abs(-log($0.p) - entropy), $0.id) < (abs(-log($1.p) - entropy), $1.id) }
        let keep = prefix(byShift, reaching: 0.9)
        expectSame(distribution(p, logits: big), softmax(big, ids: keep))
    }

    @Test func drawsFollowTheDistribution() {
        var p = off
        p.topK = 4
        var sampler = Sampler(p, seed: 42)
        var counts: [Int32: Int] = [:]
        let draws = 40_000
        logits.withUnsafeBufferPointer { l in
            for _ in 0..<draws { counts[sampler.sample(l, history: []), default: 0] += 1 }
        }
        for (id, prob) in softmax(logits, ids: [5, 1, 9, 3]) {
            let observed = Double(counts[Int32(id)] ?? 0) / Double(draws)
            // 5 standard errors: fails by chance about once in 3 million runs.
            #expect(abs(observed - prob) < 5 * (prob * (1 - prob) / Double(draws)).squareRoot())
        }
        #expect(counts.keys.allSatisfy { [5, 1, 9, 3].contains($0) })
    }

    @Test func sameSeedSameTokens() {
        func tokens(seed: UInt64) -> [Int32] {
            var sampler = Sampler(SamplingParameters(temperature: 1.5, topK: 0, topP: 1, minP: 0), seed: seed)
            return logits.withUnsafeBufferPointer { l in (0..<200).map { _ in sampler.sample(l, history: []) } }
        }
        #expect(tokens(seed: 9) == tokens(seed: 9))
        #expect(tokens(seed: 9) != tokens(seed: 10))
    }

    @Test func greedyIsTheArgmaxAfterPenalties() {
        var p = SamplingParameters.greedy
        var sampler = Sampler(p, seed: 0)
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0, history: []) } == 5)
        p.repeatPenalty = 2
        sampler = Sampler(p, seed: 0)
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0, history: [5]) } == 1)
    }
}

/// Stop strings in streamed text.
struct StopSequencesTests {
    /// Feeds `pieces` and returns the released text and whether it stopped.
    func run(_ stops: [String], _ pieces: [String]) -> (String, Bool, String?) {
        var matcher = StopSequences(stops)
        var out = ""
        for piece in pieces {
            let (release, stopped) = matcher.append(piece)
            out += release
            if stopped { return (out, true, matcher.found) }
        }
        return (out + matcher.finish(), false, nil)
    }

    @Test func aStopSplitAcrossPiecesIsCaughtAndNotReleased() {
        let (text, stopped, found) = run(["<END>"], ["Hello <", "EN", "D> ignored"])
        #expect(text == "Hello ")
        #expect(stopped)
        #expect(found == "<END>")
    }

    @Test func aFalseStartIsReleasedOnceItCannotMatch() {
        var matcher = StopSequences(["<END>"])
        #expect(matcher.append("a <E").release == "a ")
        #expect(matcher.append("X").release == "<EX")
        #expect(matcher.finish() == "")
    }

    @Test func heldBackTextComesOutAtTheEnd() {
        #expect(run(["\n\n"], ["one\n"]) == ("one\n", false, nil))
    }

    @Test func theEarliestOfSeveralStopsWins() {
        let (text, _, found) = run(["world", "lo w"], ["hello world"])
        #expect(text == "hel")
        #expect(found == "lo w")
    }

    @Test func multiByteCharactersSurvive() {
        let (text, stopped, _) = run(["。"], ["日本", "語です", "。次"])
        #expect(text == "日本語です")
        #expect(stopped)
        #expect(run(["éa"], ["café", "s"]) == ("cafés", false, nil))
    }

    @Test func noStopsReleaseEverythingAtOnce() {
        var matcher = StopSequences([])
        #expect(matcher.append("abc").release == "abc")
    }
}
