// Generation with the real Qwen2.5-Coder-0.5B: seeds, stop rules, chat sessions, cancellation, concurrency.
import Foundation
import GGUF
import Kinglet
import Testing

/// Everything one generation streamed.
struct Collected {
    var ids: [Int32] = []
    var text = ""
    var summary: GenerationSummary?

    init(_ stream: AsyncThrowingStream<GenerationEvent, any Error>) async throws {
        for try await event in stream {
            switch event {
            case .token(let token):
                ids.append(token.id)
                text += token.text
            case .text(let rest): text += rest
            case .done(let done): summary = done
            }
        }
    }
}

@Suite(.serialized) struct GenerationTests {
    let model: LanguageModel

    init() throws {
        model = try LanguageModel(try TestEnvironment.modelPath("qwen2.5-coder:0.5b"),
                                  options: .init(threads: 2, contextLength: 1024))
    }

    func prompt(_ text: String) throws -> [Int32] { try model.chatPrompt(text) }

    /// The loaded weights keep no `[String]` copy of the vocabulary and merges (the tokenizer has
    /// its own tables); the vocabulary's size survives as `qwen2.vocab_size`.
    @Test func theWeightsKeepNoSecondCopyOfTheVocabulary() throws {
        let file = try #require(model.source as? GGUFFile)
        #expect(file.metadata["tokenizer.ggml.tokens"] == nil && file.metadata["tokenizer.ggml.merges"] == nil)
        #expect(try file.metadata.optionalInteger("qwen2.vocab_size") == model.tokenizer.vocabularySize)
        #expect(model.shape.vocabularySize == model.tokenizer.vocabularySize)
        #expect(try file.metadata.optionalString("tokenizer.ggml.model") == "gpt2")   // the small entries stay
    }

    @Test func sameSeedSameTokensOnAnyThreadCount() async throws {
        let parameters = GenerationParameters(maxTokens: 24, sampling: .init(temperature: 1.0, topK: 0, topP: 1, minP: 0), seed: 1234)
        let p = try prompt("Write a long poem about compilers.")
        let first = try await Collected(model.generate(prompt: p, parameters: parameters))
        let again = try await Collected(model.generate(prompt: p, parameters: parameters))
        let oneThread = try LanguageModel(model.path, options: .init(threads: 1, contextLength: 1024))
        let single = try await Collected(oneThread.generate(prompt: p, parameters: parameters))
        #expect(first.ids.count > 12)
        #expect(first.ids == again.ids)
        #expect(first.ids == single.ids)
        var other = parameters
        other.seed = 1235
        #expect(try await Collected(model.generate(prompt: p, parameters: other)).ids != first.ids)
    }

    @Test func aStopStringAcrossTokensEndsGenerationAndIsNotEmitted() async throws {
        let p = try prompt("Count from 1 to 20, separated by commas.")
        let free = try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 40)))
        // Pick a stop string that straddles a token boundary: the end of token 5 and the start of token 6.
        let pieces = free.ids.map { model.tokenizer.decode([$0]) }
        let boundary = pieces[0..<6].joined().count
        let fullText = pieces.joined()
        let start = fullText.index(fullText.startIndex, offsetBy: boundary - 1)
        let stop = String(fullText[start...].prefix(3))
        #expect(stop.count == 3 && pieces[5].count >= 1)
        var parameters = GenerationParameters.greedy(maxTokens: 40)
        parameters.stop = [stop]
        let stopped = try await Collected(model.generate(prompt: p, parameters: parameters))
        let expected = String(fullText[..<fullText.range(of: stop)!.lowerBound])
        #expect(stopped.text == expected)
        #expect(stopped.summary?.stopReason == .stop)
        #expect(stopped.summary?.stopSequence == stop)
        #expect(!stopped.text.contains(stop))
    }

    @Test func stopReasonsAreExplicit() async throws {
        let p = try prompt("Say OK.")
        let short = try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 1)))
        #expect(short.summary?.stopReason == .length)
        #expect(short.summary?.generatedTokens == 1)

        let finished = try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 64)))
        #expect(finished.summary?.stopReason == .stop)
        #expect(finished.summary.flatMap(\.stopToken).map { model.tokenizer.endOfGenerationTokens.contains($0) } == true)

        let story = try prompt("Write a long story about a dragon.")
        let tight = try LanguageModel(model.path, options: .init(threads: 2, contextLength: story.count + 5))
        let full = try await Collected(tight.generate(prompt: story, parameters: .greedy(maxTokens: 50)))
        #expect(full.summary?.stopReason == .contextFull)
        #expect(full.summary?.generatedTokens == 6)

        let tooLong = try LanguageModel(model.path, options: .init(threads: 2, contextLength: story.count - 1))
        await #expect(throws: KingletError.self) { try await Collected(tooLong.generate(prompt: story, parameters: .greedy())) }
    }

    @Test func aSecondChatTurnEvaluatesOnlyTheNewTokensAndMatchesAFreshRun() async throws {
        let chat = try ChatSession(model: model, system: "You are a terse assistant.")
        let first = try await Collected(chat.respond(to: "Name one prime number.", parameters: .greedy(maxTokens: 32)))
        #expect(first.summary?.cachedPromptTokens == 0)
        #expect(chat.messages.map(\.role) == ["system", "user", "assistant"])
        #expect(chat.messages[2].content == first.text)

        let second = try await Collected(chat.respond(to: "And another one?", parameters: .greedy(maxTokens: 32)))
        let conversation = chat.messages
        #expect(conversation.count == 5)

        // The second prompt, rendered from scratch, shares everything up to the end of the first answer.
        let secondPrompt = try model.chatPrompt(messages: conversation.prefix(4).map(\.templateValue))
        let firstContext = try model.chatPrompt(messages: conversation.prefix(2).map(\.templateValue)) + first.ids
        let shared = zip(firstContext, secondPrompt).prefix { $0 == $1 }.count
        let summary = try #require(second.summary)
        #expect(summary.promptTokens == secondPrompt.count)
        #expect(summary.cachedPromptTokens == shared)
        #expect(summary.evaluatedPromptTokens == secondPrompt.count - shared)
        #expect(summary.evaluatedPromptTokens < 30, "only the new turn is evaluated, not \(summary.evaluatedPromptTokens) tokens")

        let fresh = try await Collected(model.generate(prompt: secondPrompt, parameters: .greedy(maxTokens: 32)))
        #expect(fresh.ids == second.ids)
        #expect(fresh.text == second.text)
    }

    @Test func clearingAChatKeepsTheSystemPrefixCached() async throws {
        let chat = try ChatSession(model: model, system: "You are a terse assistant.")
        _ = try await Collected(chat.respond(to: "Hi.", parameters: .greedy(maxTokens: 8)))
        try chat.replaceMessages([.system("You are a terse assistant.")])
        let again = try await Collected(chat.respond(to: "Hello.", parameters: .greedy(maxTokens: 8)))
        let systemOnly = try model.chatPrompt(messages: [ChatMessage.system("You are a terse assistant.").templateValue, ChatMessage.user("").templateValue])
        #expect((again.summary?.cachedPromptTokens ?? 0) > 0)
        #expect((again.summary?.cachedPromptTokens ?? .max) < systemOnly.count)
        #expect(chat.messages.count == 3)
    }

    /// Waits until `chat` is idle (a cancelled turn may still be stopping), then runs a short turn.
    func nextTurn(_ chat: ChatSession, _ text: String) async throws -> Collected {
        await chat.waitUntilIdle()
        #expect(!chat.isAnswering)
        return try await Collected(chat.respond(to: text, parameters: .greedy(maxTokens: 4)))
    }

    @Test func cancellingATurnStopsItAndFreesTheSession() async throws {
        let chat = try ChatSession(model: model)
        // Stopping the iteration ends the stream, and the generation thread stops before its next token.
        var seen = 0
        for try await event in chat.respond(to: "Write a long essay about rivers.", parameters: .greedy(maxTokens: 500)) {
            if case .token = event { seen += 1 }
            if seen == 3 { break }
        }
        _ = try await nextTurn(chat, "Thanks.")

        // Cancelling the consuming task does the same.
        let answering = Task { try await Collected(chat.respond(to: "Now one about mountains.", parameters: .greedy(maxTokens: 500))) }
        try await Task.sleep(for: .seconds(2))
        #expect(chat.isAnswering)
        #expect(throws: KingletError.self, "the running turn would overwrite the change") { try chat.replaceMessages([]) }
        answering.cancel()
        let partial = try await answering.value
        #expect(partial.summary == nil, "a cancelled stream ends without .done")
        let last = try await nextTurn(chat, "Thanks again.")
        #expect(last.summary?.generatedTokens ?? 0 > 0)

        let answers = chat.messages.filter { $0.role == "assistant" }
        try #require(answers.count == 4)
        #expect(answers[0].content.count < 60, "the first answer holds only the 3 tokens seen and maybe a few more")
        #expect(answers[2].content.count > 0 && answers[2].content.count < 1500, "the cancelled answer stopped early")
    }

    @Test func concurrentGenerationsMatchSequentialOnes() async throws {
        let prompts = try ["Name a color.", "Name a fruit.", "Name a tree."].map(prompt)
        var sequential: [[Int32]] = []
        for p in prompts { sequential.append(try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 12))).ids) }
        let model = self.model
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Int32]).self) { group in
            for (i, p) in prompts.enumerated() {
                group.addTask { (i, try await Collected(model.generate(prompt: p, parameters: .greedy(maxTokens: 12))).ids) }
            }
            var results = Array(repeating: [Int32](), count: prompts.count)
            for try await (i, ids) in group { results[i] = ids }
            return results
        }
        #expect(concurrent == sequential)
    }

    @Test func aMemoryLimitRefusesWithTheNumbers() throws {
        #expect(throws: KingletError.self) {
            try LanguageModel(model.path, options: .init(threads: 2, contextLength: 32768, memoryLimit: 600 << 20))
        }
        do {
            _ = try LanguageModel(model.path, options: .init(threads: 2, contextLength: 32768, memoryLimit: 600 << 20))
        } catch {
            #expect(error.description.contains("KV cache"))
            #expect(error.description.contains("600.0 MiB"))
        }
        _ = try LanguageModel(model.path, options: .init(threads: 2, contextLength: 512, memoryLimit: 2 << 30))
    }
}
