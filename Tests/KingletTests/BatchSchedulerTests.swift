// Pins down continuous batching with the real Qwen2.5-Coder-0.5B: a request's tokens do not depend
// on what else runs beside it, prompts share cached prefixes, a long prompt is chunked between the
// others' tokens, and a consumer leaving frees its sequence at once. Also a tiny random Qwen3.5
// (recurrent state per sequence) batched against alone.
import Foundation
import Kinglet
import Synchronization
import Testing

extension BatchScheduler {
    /// The tokens of each prompt, all generated at once (the i-th request sent `i × staggered` after the first).
    func tokensOfAll(_ prompts: [[Int32]], parameters: @escaping @Sendable (Int) -> GenerationParameters,
                     staggered: Duration = .zero) async throws -> [[Int32]] {
        try await withThrowingTaskGroup(of: (Int, [Int32]).self) { group in
            for i in prompts.indices {
                group.addTask {
                    try await Task.sleep(for: staggered * i)
                    return (i, try await Collected(self.generate(prompt: prompts[i], parameters: parameters(i))).ids)
                }
            }
            var result = Array(repeating: [Int32](), count: prompts.count)
            for try await (i, ids) in group { result[i] = ids }
            return result
        }
    }
}

@Suite(.serialized) struct BatchSchedulerTests {
    let model: LanguageModel

    init() throws {
        model = try LanguageModel(try TestEnvironment.modelPath("qwen2.5-coder:0.5b"),
                                  options: .init(threads: 2, contextLength: 2048))
    }

    static let requests: [(prompt: String, seed: UInt64, temperature: Float)] = [
        ("Write a haiku about compilers.", 1, 0.9),
        ("What is the capital of France? Answer in one sentence.", 2, 0),
        ("List three sorting algorithms and their complexity.", 3, 1.2),
        ("Explain a hash map to a child.", 4, 0.7),
        ("Write a Swift function that reverses a string.", 5, 1.0),
    ]

    func parameters(_ i: Int, maxTokens: Int = 24) -> GenerationParameters {
        let r = Self.requests[i]
        return GenerationParameters(maxTokens: maxTokens, sampling: .init(temperature: r.temperature), seed: r.seed)
    }

    @Test func eachRequestGetsTheTokensItGetsAlone() async throws {
        let prompts = try Self.requests.map { try model.chatPrompt($0.prompt) }
        var alone: [[Int32]] = []
        for i in prompts.indices {
            alone.append(try await Collected(model.generate(prompt: prompts[i], parameters: parameters(i))).ids)
        }
        // Four sequences for five requests: the fifth waits for a free one. The requests arrive
        // while others are part-way through their prompts or their answers.
        let scheduler = BatchScheduler(model: model, sequences: 4, prefillChunk: 7)
        let batched = try await scheduler.tokensOfAll(prompts, parameters: { self.parameters($0) }, staggered: .milliseconds(40))
        for i in prompts.indices {
            #expect(alone[i].count > 4, "request \(i) generated only \(alone[i].count) tokens")
            #expect(batched[i] == alone[i], "request \(i): batched \(batched[i]) alone \(alone[i])")
        }
        #expect(scheduler.statistics.busySequences == 0)
    }

    @Test func aPromptReusesTheLongestCachedPrefix() async throws {
        let system = "You are a careful assistant for a hardware store. Answer briefly and politely, and never invent prices."
        let first = try model.chatPrompt("Do you sell hammers?", system: system)
        let second = try model.chatPrompt("Do you sell screwdrivers?", system: system)
        let common = zip(first, second).prefix { $0 == $1 }.count
        #expect(common > 20)
        let scheduler = BatchScheduler(model: model, sequences: 2)
        let greedy = GenerationParameters.greedy(maxTokens: 12)
        let a = try await Collected(scheduler.generate(prompt: first, parameters: greedy))
        #expect(a.summary?.cachedPromptTokens == 0)
        // The second prompt takes the other, empty sequence and copies the shared prefix into it.
        let b = try await Collected(scheduler.generate(prompt: second, parameters: greedy))
        #expect(b.summary?.cachedPromptTokens == common)
        #expect(b.summary?.evaluatedPromptTokens == second.count - common)
        #expect(b.ids == (try await Collected(model.generate(prompt: second, parameters: greedy))).ids)
        // The same prompt again: the first sequence still holds it whole; everything but its last token is reused.
        let again = try await Collected(scheduler.generate(prompt: first, parameters: greedy))
        #expect(again.summary?.cachedPromptTokens == first.count - 1)
        #expect(again.ids == a.ids)
        #expect(scheduler.statistics.reusedPromptTokens == common + first.count - 1)
    }

    @Test func aLongPromptIsEvaluatedBetweenTheOthersTokens() async throws {
        let scheduler = BatchScheduler(model: model, sequences: 2, prefillChunk: 64)
        let running = scheduler.generate(prompt: try model.chatPrompt("Count from 1 to 500."), parameters: .greedy(maxTokens: 400))
        let long = try model.chatPrompt(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 90) + "How many foxes?")
        #expect(long.count > 900)
        let tokensDuringPrompt = Mutex(0)
        let longStarted = Mutex(false), longAnswered = Mutex(false)
        var iterator = running.makeAsyncIterator()
        _ = try await iterator.next()   // the running request is decoding
        async let answer: Collected = {
            longStarted.withLock { $0 = true }
            let collected = try await Collected(scheduler.generate(prompt: long, parameters: .greedy(maxTokens: 1)))
            longAnswered.withLock { $0 = true }
            return collected
        }()
        while let event = try await iterator.next() {
            guard case .token = event else { continue }
            if longStarted.withLock({ $0 }) && !longAnswered.withLock({ $0 }) { tokensDuringPrompt.withLock { $0 += 1 } }
            if longAnswered.withLock({ $0 }) { break }
        }
        let result = try await answer
        #expect(result.summary?.promptTokens == long.count)
        // ~15 chunks of 64 tokens, each step also decoding the running request.
        let during = tokensDuringPrompt.withLock { $0 }
        #expect(during >= 8, "the running request got \(during) tokens while a \(long.count)-token prompt was evaluated")
    }

    @Test func aConsumerLeavingFreesItsSequenceAtOnce() async throws {
        let scheduler = BatchScheduler(model: model, sequences: 1)
        var seen = 0
        for try await event in scheduler.generate(prompt: try model.chatPrompt("Write a very long story."), parameters: .greedy(maxTokens: 1000)) {
            if case .token = event { seen += 1 }
            if seen == 3 { break }
        }
        // The only sequence is free again: the next request runs, and runs as it would alone.
        let p = try model.chatPrompt("Say hi.")
        let next = try await Collected(scheduler.generate(prompt: p, parameters: .greedy(maxTokens: 6)))
        #expect(next.ids == (try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 6)))).ids)
        #expect(scheduler.statistics.busySequences == 0)
    }

    @Test func badPromptsFailAloneAndTheSchedulerKeepsServing() async throws {
        let scheduler = BatchScheduler(model: model, sequences: 2, capacity: 64)
        await #expect(throws: KingletError.self) {
            _ = try await Collected(scheduler.generate(prompt: Array(repeating: 100, count: 65)))
        }
        await #expect(throws: KingletError.self) {
            _ = try await Collected(scheduler.generate(prompt: [1, 2, Int32(model.shape.vocabularySize)]))
        }
        await #expect(throws: KingletError.self) { _ = try await Collected(scheduler.generate(prompt: [])) }
        // A prompt that fills the context ends at its capacity with `contextFull`.
        let full = try await Collected(scheduler.generate(prompt: Array(repeating: 100, count: 60), parameters: .greedy(maxTokens: 100)))
        #expect(full.summary?.stopReason == .contextFull)
        #expect(full.summary?.generatedTokens == 5)
    }
}
