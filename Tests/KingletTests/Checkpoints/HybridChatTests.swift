// Pins down multi-turn chat on a hybrid model (Qwen3.5: gated DeltaNet layers with a recurrent
// state): a new turn resumes from a checkpoint taken at the previous turn's boundary, evaluating only
// what follows it, and its logits equal a fresh prefill of the whole conversation. The model is a
// tiny random Qwen3.5 saved by transformers, with a tokenizer trained by `tokenizers` and the real
// Qwen3.5 chat template (which drops the answer's `<think>` block from history, so the cached
// answer tokens cannot simply be reused).
import Foundation
@testable import Kinglet
import Templates
import TestSupport
import Testing

@Suite struct HybridChatTests {
    static let directory: Result<URL, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-qwen35-\(UUID().uuidString)")
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let script = try String(contentsOf: here.appendingPathComponent("tiny_checkpoint.py"), encoding: .utf8)
        let template = TestEnvironment.conformance.appendingPathComponent("templates/Qwen3.5-4B.jinja")
        _ = try ReferencePython.run(script, arguments: [directory.path, "qwen3_5", template.path])
        return directory
    }

    static func messages(_ pairs: [(String, String)]) -> [TemplateValue] {
        pairs.map { ["role": .string($0.0), "content": .string($0.1)] }
    }

    @Test func aSecondTurnResumesAtTheFirstTurnsBoundaryAndMatchesAFreshPrefill() throws {
        let model = try LanguageModel(try Self.directory.get().path,
                                      options: .init(threads: 2, contextLength: 512, cacheElement: .float32))
        #expect(model.isRecurrent)
        let context = ModelContext(model: model)
        let greedy = GenerationParameters(maxTokens: 6, sampling: .greedy)

        let first = Self.messages([("user", "Hello there! How are you?")])
        let prompt1 = try model.chatPrompt(messages: first)
        let history1 = try model.chatPrompt(messages: first, addGenerationPrompt: false)
        let run1 = try context.generate(prompt: prompt1, parameters: greedy, cancelled: CancellationFlag(),
                                        conversationEnd: history1.count) { _ in }
        #expect(run1.summary.cachedPromptTokens == 0)

        let second = Self.messages([("user", "Hello there! How are you?"), ("assistant", run1.text), ("user", "The quick brown fox?")])
        let prompt2 = try model.chatPrompt(messages: second)
        let history2 = try model.chatPrompt(messages: second, addGenerationPrompt: false)
        let run2 = try context.generate(prompt: prompt2, parameters: GenerationParameters(maxTokens: 0),
                                        cancelled: CancellationFlag(), conversationEnd: history2.count) { _ in }
        // The template re-renders the first answer without its <think> opening, so the cached answer
        // differs from the new prompt right after the first user turn: the turn resumes exactly there.
        #expect(prompt2.starts(with: history1))
        #expect(!prompt2.starts(with: prompt1), "the template no longer drops reasoning from history; pick another case")
        #expect(run2.summary.cachedPromptTokens == history1.count)
        let resumed = Array(context.lastLogits)

        let fresh = ModelContext(model: model)
        try fresh.append(prompt2)
        let difference = zip(resumed, fresh.lastLogits).map { abs($0 - $1) }.max() ?? .infinity
        #expect(difference <= 1e-4, "max |Δlogit| between the resumed turn and a fresh prefill: \(difference)")
    }

    @Test func aChatSessionReusesTheRecurrentStateAcrossTurns() async throws {
        let model = try LanguageModel(try Self.directory.get().path, options: .init(threads: 2, contextLength: 512))
        let chat = try ChatSession(model: model)
        let parameters = GenerationParameters(maxTokens: 4, sampling: .greedy)
        var summaries: [GenerationSummary] = []
        for user in ["Hello there!", "How are you today?", "Kinglet runs small language models."] {
            for try await event in chat.respond(to: user, parameters: parameters) {
                if case .done(let summary) = event { summaries.append(summary) }
            }
        }
        #expect(summaries.count == 3)
        // Each later turn starts from the previous conversation's end, not from position 0.
        for (turn, summary) in summaries.enumerated().dropFirst() {
            #expect(summary.cachedPromptTokens > 0 && summary.cachedPromptTokens < summary.promptTokens,
                    "turn \(turn + 1): \(summary.cachedPromptTokens) of \(summary.promptTokens) prompt tokens reused")
        }
    }
}

extension HybridChatTests {
    /// Recurrent and convolution state per sequence: sequences decoding together in one batch
    /// (and joining part-way) give what each gives alone.
    @Test func batchedSequencesGiveWhatEachGivesAlone() async throws {
        let model = try LanguageModel(try Self.directory.get().path, options: .init(threads: 2, contextLength: 256))
        let prompts = try ["Hello!", "What is two plus two?", "Tell me a story about a cat."].map { try model.chatPrompt($0) }
        let parameters: @Sendable (Int) -> GenerationParameters = { i in
            GenerationParameters(maxTokens: 10, sampling: .init(temperature: 1, topK: 0, topP: 1, minP: 0), seed: UInt64(i))
        }
        var alone: [[Int32]] = []
        for i in prompts.indices {
            alone.append(try await Collected(model.generate(prompt: prompts[i], parameters: parameters(i))).ids)
        }
        let scheduler = BatchScheduler(model: model, sequences: 3, prefillChunk: 5)
        let batched = try await scheduler.tokensOfAll(prompts, parameters: parameters)
        for i in prompts.indices {
            #expect(alone[i].count == 10)
            #expect(batched[i] == alone[i], "prompt \(i)")
        }
    }
}
