import Grammar
import Tokenizers

/// The per-token half of a generation, apart from the forward passes: picks each token from the
/// logits (sampler chain, grammar), turns tokens into text, and decides when to stop.
///
/// A `ModelContext` drives one of these for its single sequence; `BatchScheduler` drives one per
/// sequence of a batch. Either way a token depends only on its own sequence's logits, history and
/// seed, so the same request gives the same tokens alone or beside others.
struct Decoding {
    let parameters: GenerationParameters
    private let tokenizer: Tokenizer
    private var sampler: Sampler
    private var detokenizer: StreamingDetokenizer
    private var stops: StopSequences
    private var constraint: GrammarMatcher?
    private var masked: [Float] = []
    private let clock = ContinuousClock()
    /// The text released to the consumer.
    private(set) var text = ""
    private(set) var generated = 0
    private var maskedSteps = 0
    private var samplingTime = Duration.zero
    private var reason = StopReason.length
    private var stopToken: Int32?
    private var stopSequence: String?

    /// - Parameter room: positions the context has left after the prompt (sizes the text buffer).
    init(model: LanguageModel, parameters: GenerationParameters, room: Int) {
        self.parameters = parameters
        tokenizer = model.tokenizer
        sampler = Sampler(parameters.sampling, seed: parameters.seed ?? UInt64.random(in: .min ... .max))
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        stops = StopSequences(parameters.stop)
        constraint = parameters.grammar.map { GrammarMatcher(grammar: $0, vocabulary: model.grammarVocabulary) }
        // Room for the whole answer up front, so appending a token's text never reallocates
        // mid-generation (capped: a huge `maxTokens` grows the usual way past 1 MB).
        text.reserveCapacity(min(max(0, min(parameters.maxTokens, room)) * 16, 1 << 20))
    }

    /// Picks the token after `logits`, emits it, and returns it to be fed back; nil once the
    /// generation has ended (end-of-generation token, stop string, finished grammar, `maxTokens`,
    /// or `contextFull`: no room to feed the token back).
    /// - Parameter history: the sequence's tokens so far, prompt included (for the penalties).
    mutating func next(after logits: UnsafeBufferPointer<Float>, history: [Int32], contextFull: Bool,
                       emit: (GenerationEvent) -> Void) throws(KingletError) -> Int32? {
        guard generated < parameters.maxTokens else { return nil }
        let samplingStart = clock.now
        var id = sampler.sample(logits, history: history)
        if let matcher = constraint, !matcher.allows(id) {
            // As llama.cpp: the sampled token is usually allowed; masking the whole
            // vocabulary is only needed when it is not, and then the chain runs again.
            if masked.count != logits.count { masked = Array(repeating: 0, count: logits.count) }
            masked.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.update(from: logits.baseAddress!, count: logits.count)
                matcher.mask(buffer)
            }
            id = masked.withUnsafeBufferPointer { sampler.sample($0, history: history) }
            maskedSteps += 1
        }
        do throws(GrammarError) { try constraint?.accept(id) } catch { throw .grammar(error) }
        samplingTime += clock.now - samplingStart
        if tokenizer.endOfGenerationTokens.contains(id) { reason = .stop; stopToken = id; return nil }
        var logprob: Float?
        var top: [TokenLogprob] = []
        if parameters.logprobs || parameters.topLogprobs > 0 {
            let logSumExp = LogProbabilities.logSumExp(logits)
            logprob = Float(Double(logits[Int(id)]) - logSumExp)
            top = LogProbabilities.top(parameters.topLogprobs, of: logits, logSumExp: logSumExp)
                .map { TokenLogprob(id: $0.id, logprob: $0.logprob) }
        }
        generated += 1
        let (piece, stopped) = stops.append(detokenizer.append(id))
        text += piece
        emit(.token(GeneratedToken(id: id, text: piece, logprob: logprob, topLogprobs: top)))
        if stopped { reason = .stop; stopSequence = stops.found; return nil }
        if constraint?.isFinished == true { reason = .stop; return nil }
        if generated == parameters.maxTokens { return nil }
        if contextFull { reason = .contextFull; return nil }
        return id
    }

    /// Ends the generation early because its consumer went away.
    mutating func cancel() { reason = .cancelled }

    /// Releases the text held back (for a stop string that never came, or an incomplete UTF-8 character).
    mutating func finish(emit: (GenerationEvent) -> Void) {
        guard stopSequence == nil else { return }
        let (piece, stopped) = stops.append(detokenizer.finish())
        var rest = piece
        if stopped { reason = .stop; stopSequence = stops.found } else { rest += stops.finish() }
        if !rest.isEmpty {
            text += rest
            emit(.text(rest))
        }
    }

    func summary(promptTokens: Int, cachedPromptTokens: Int, promptSeconds: Double,
                 decodeSeconds: Double, decodeSteps: Int) -> GenerationSummary {
        GenerationSummary(
            stopReason: reason, stopToken: stopToken, stopSequence: stopSequence,
            promptTokens: promptTokens, cachedPromptTokens: cachedPromptTokens, generatedTokens: generated,
            promptSeconds: promptSeconds, decodeSeconds: decodeSeconds, decodeSteps: decodeSteps,
            samplingSeconds: samplingTime.seconds, maskedSteps: maskedSteps)
    }
}
