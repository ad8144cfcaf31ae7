import Foundation
import Synchronization
import Tokenizers

/// How to generate.
public struct GenerationParameters: Sendable {
    /// Most tokens to generate.
    public var maxTokens: Int
    /// 0 picks the most likely token every time (greedy).
    public var temperature: Float
    /// Same seed, same output; nil picks a random seed.
    public var seed: UInt64?
    /// Report each generated token's log-probability.
    public var logprobs: Bool
    /// Also report the this many most likely alternatives at each step.
    public var topLogprobs: Int

    public init(maxTokens: Int = 256, temperature: Float = 0.8, seed: UInt64? = nil,
                logprobs: Bool = false, topLogprobs: Int = 0) {
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.seed = seed
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
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
    public let promptTokens: Int
    public let generatedTokens: Int
    public let promptSeconds: Double
    /// Time spent on forward passes after the prompt.
    public let decodeSeconds: Double
    /// Forward passes after the prompt (generated tokens fed back).
    public let decodeSteps: Int

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0 }
}

/// What a generation stream yields.
public enum GenerationEvent: Sendable {
    case token(GeneratedToken)
    /// Text held back until the end (an incomplete UTF-8 sequence, shown as U+FFFD).
    case text(String)
    case done(GenerationSummary)
}

extension LanguageModel {
    /// Generates after `prompt`, as a stream of events ending with `.done`.
    ///
    /// Decoding runs on its own thread; stop consuming (or cancel the consuming
    /// task) and it stops before the next token.
    /// - Throws (from the stream): `KingletError.promptTooLong` and model errors.
    public func generate(prompt: [Int32], parameters: GenerationParameters = .init()) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self)
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.cancel() }
        let thread = Thread { [self] in
            do {
                try runGeneration(prompt: prompt, parameters: parameters, cancelled: cancelled) { continuation.yield($0) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.start()
        return stream
    }

    private func runGeneration(prompt: [Int32], parameters: GenerationParameters, cancelled: CancellationFlag,
                               emit: (GenerationEvent) -> Void) throws(KingletError) {
        guard !prompt.isEmpty else { throw .emptyPrompt }
        let context = ModelContext(model: self)
        let clock = ContinuousClock()
        let promptStart = clock.now
        try context.append(prompt)
        let promptSeconds = Self.seconds(clock.now - promptStart)

        var sampler = Sampler(temperature: parameters.temperature, seed: parameters.seed ?? UInt64.random(in: .min ... .max))
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        let endOfGeneration = tokenizer.endOfGenerationTokens
        var generated = 0, steps = 0, decodeTime = Duration.zero
        var reason = StopReason.length
        var stopToken: Int32?
        while generated < parameters.maxTokens {
            if cancelled.isCancelled { reason = .cancelled; break }
            let logits = context.lastLogits
            let id = sampler.sample(logits)
            if endOfGeneration.contains(id) { reason = .stop; stopToken = id; break }
            var logprob: Float?
            var top: [TokenLogprob] = []
            if parameters.logprobs || parameters.topLogprobs > 0 {
                let logSumExp = LogProbabilities.logSumExp(logits)
                logprob = Float(Double(logits[Int(id)]) - logSumExp)
                top = LogProbabilities.top(parameters.topLogprobs, of: logits, logSumExp: logSumExp)
                    .map { TokenLogprob(id: $0.id, logprob: $0.logprob) }
            }
            generated += 1
            emit(.token(GeneratedToken(id: id, text: detokenizer.append(id), logprob: logprob, topLogprobs: top)))
            if generated == parameters.maxTokens { break }
            if context.tokens.count >= context.capacity { reason = .contextFull; break }
            let stepStart = clock.now
            try context.append(CollectionOfOne(id))
            decodeTime += clock.now - stepStart
            steps += 1
        }
        let rest = detokenizer.finish()
        if !rest.isEmpty { emit(.text(rest)) }
        emit(.done(GenerationSummary(
            stopReason: reason, stopToken: stopToken, promptTokens: prompt.count, generatedTokens: generated,
            promptSeconds: promptSeconds, decodeSeconds: Self.seconds(decodeTime), decodeSteps: steps)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// Set when a generation's consumer goes away.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
