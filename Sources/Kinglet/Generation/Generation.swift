import Foundation
import Grammar
import Synchronization
import Tokenizers

/// How to generate: how much, how to pick tokens, and when to stop.
public struct GenerationParameters: Sendable {
    /// Most tokens to generate.
    public var maxTokens: Int
    /// How each token is picked from the logits.
    public var sampling: SamplingParameters
    /// Same seed, same output (on any thread count); nil picks a random seed.
    public var seed: UInt64?
    /// Strings that end generation when they appear in the text; they are not included in it.
    public var stop: [String]
    /// Only text this grammar accepts may be generated (JSON mode, a JSON Schema, GBNF);
    /// generation ends when the grammar is complete and nothing can follow.
    public var grammar: Grammar?
    /// Report each generated token's log-probability.
    public var logprobs: Bool
    /// Also report this many most likely alternatives at each step.
    public var topLogprobs: Int

    public init(maxTokens: Int = 256, sampling: SamplingParameters = .init(), seed: UInt64? = nil,
                stop: [String] = [], grammar: Grammar? = nil, logprobs: Bool = false, topLogprobs: Int = 0) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.seed = seed
        self.stop = stop
        self.grammar = grammar
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    /// Greedy decoding of at most `maxTokens`.
    public static func greedy(maxTokens: Int = 256) -> GenerationParameters {
        GenerationParameters(maxTokens: maxTokens, sampling: .greedy)
    }
}

/// Why generation ended; maps onto OpenAI's `finish_reason`.
public enum StopReason: String, Sendable {
    /// The model produced an end-of-generation token.
    case stop
    /// `maxTokens` were generated.
    case length
    /// The context has no room for another token.
    case contextFull = "context_full"
    /// The consumer stopped listening.
    case cancelled
}

/// A token's log-probability under the model (log-softmax of the raw logits).
public struct TokenLogprob: Sendable, Equatable {
    public let id: Int32
    public let logprob: Float
}

/// One generated token.
public struct GeneratedToken: Sendable {
    public let id: Int32
    /// Text this token completes: empty while it holds part of a UTF-8 character.
    public let text: String
    public let logprob: Float?
    public let topLogprobs: [TokenLogprob]
}

/// Counts and speeds of one generation.
public struct GenerationSummary: Sendable {
    public let stopReason: StopReason
    /// The end-of-generation token that ended it, for `.stop`.
    public let stopToken: Int32?
    /// The stop string that ended it, for `.stop`.
    public let stopSequence: String?
    /// Tokens of the prompt, the reused ones included.
    public let promptTokens: Int
    /// Prompt tokens whose keys and values were already cached (a chat's earlier turns), not evaluated again.
    public let cachedPromptTokens: Int
    public let generatedTokens: Int
    /// Time spent evaluating the prompt's uncached tokens.
    public let promptSeconds: Double
    /// Time spent on forward passes after the prompt.
    public let decodeSeconds: Double
    /// Forward passes after the prompt (generated tokens fed back).
    public let decodeSteps: Int
    /// Time spent sampling: the sampler chain and any constraint on the tokens.
    public let samplingSeconds: Double
    /// Steps where the sampled token broke the grammar, so the whole vocabulary was masked and sampled again.
    public let maskedSteps: Int

    /// Prompt tokens evaluated in this generation.
    public var evaluatedPromptTokens: Int { promptTokens - cachedPromptTokens }
    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(evaluatedPromptTokens) / promptSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0 }
}

/// What a generation stream yields.
public enum GenerationEvent: Sendable {
    /// A generated token, with the text it releases (text held back for a possible stop string comes later).
    case token(GeneratedToken)
    /// Text released at the end (held back for a stop string that never came, or an incomplete
    /// UTF-8 sequence shown as U+FFFD).
    case text(String)
    case done(GenerationSummary)
}

extension LanguageModel {
    /// Generates after `prompt`, as a stream of events ending with `.done`.
    ///
    /// Decoding runs on its own thread; cancel the consuming task (or stop
    /// iterating) and it stops before the next token. Several generations may
    /// run at once; their forward passes take turns.
    /// - Throws (from the stream): `KingletError.promptTooLong` and model errors.
    public func generate(prompt: [Int32], parameters: GenerationParameters = .init()) -> AsyncThrowingStream<GenerationEvent, any Error> {
        Self.stream { cancelled, emit throws(KingletError) in
            let context = ModelContext(model: self)
            let run = try context.generate(prompt: prompt, parameters: parameters, cancelled: cancelled, emit: emit)
            emit(.done(run.summary))
        }
    }

    /// Runs `body` on a thread of its own, its events feeding the returned stream.
    static func stream(
        _ body: @escaping @Sendable (CancellationFlag, (GenerationEvent) -> Void) throws(KingletError) -> Void
    ) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self)
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.cancel() }
        let thread = Thread {
            do {
                try body(cancelled) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.start()
        return stream
    }
}

/// What one generation produced.
struct GenerationRun {
    var summary: GenerationSummary
    /// The text released to the consumer.
    var text: String
}

extension ModelContext {
    /// Generates after `prompt`, emitting every event but `.done`.
    ///
    /// The tokens this context already holds are reused as far as they agree
    /// with `prompt`, so a conversation's next turn evaluates only what is new.
    ///
    /// Recurrent models (Qwen3.5) can only resume where they saved a checkpoint: one is taken at
    /// `conversationEnd` (where the conversation ends and the generation prompt begins, which the
    /// next turn re-renders differently when the template drops reasoning), after the prompt, and
    /// after the answer.
    func generate(prompt: [Int32], parameters: GenerationParameters, cancelled: CancellationFlag,
                  conversationEnd: Int? = nil,
                  emit: (GenerationEvent) -> Void) throws(KingletError) -> GenerationRun {
        guard !prompt.isEmpty else { throw .emptyPrompt }
        let clock = ContinuousClock()
        let promptStart = clock.now
        let common = reusablePrefix(of: tokens, for: prompt)
        guard prompt.count <= capacity else { throw .promptTooLong(tokens: prompt.count, context: capacity) }
        truncate(to: common)
        // A recurrent model may keep less than asked (its last checkpoint within `common`).
        let reused = tokens.count
        if let end = conversationEnd, end > reused && end < prompt.count {
            try append(prompt[reused..<end])
            checkpoint()
            try append(prompt[end...])
        } else {
            try append(prompt[reused...])
        }
        checkpoint()
        let promptSeconds = (clock.now - promptStart).seconds

        var decoding = Decoding(model: model, parameters: parameters, room: capacity - prompt.count)
        var decodeTime = Duration.zero, steps = 0
        while true {
            if cancelled.isCancelled { decoding.cancel(); break }
            guard let id = try decoding.next(after: lastLogits, history: tokens, contextFull: tokens.count >= capacity, emit: emit)
            else { break }
            let stepStart = clock.now
            try append(CollectionOfOne(id))
            decodeTime += clock.now - stepStart
            steps += 1
        }
        decoding.finish(emit: emit)
        checkpoint()   // the last sampled token is not in the cache: the next turn evaluates it first

        let summary = decoding.summary(promptTokens: prompt.count, cachedPromptTokens: reused, promptSeconds: promptSeconds,
                                       decodeSeconds: decodeTime.seconds, decodeSteps: steps)
        return GenerationRun(summary: summary, text: decoding.text)
    }
}

/// Tokens of `cached` that `prompt` can reuse: their common prefix, short of the prompt's last token,
/// which is evaluated again because its logits pick the first new token.
func reusablePrefix(of cached: [Int32], for prompt: [Int32]) -> Int {
    min(zip(cached, prompt).prefix { $0 == $1 }.count, prompt.count - 1)
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}

/// Set when a generation's consumer goes away.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
