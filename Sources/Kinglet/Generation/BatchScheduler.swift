import Foundation
import Models
import Synchronization

/// Runs many generations on one model at once: continuous batching, as llama.cpp's server does.
///
/// Up to `sequences` generations decode together, one token each per forward pass, so the weights
/// are read once per step for all of them. A new request joins between steps; its prompt is
/// evaluated in chunks that ride along with the running sequences' tokens, so a long prompt does
/// not stall their streams.
///
/// Each sequence keeps its keys and values after its request ends. A new request starts from the
/// longest prefix of its prompt that any sequence holds (copied into its own sequence when another
/// one holds it) and evaluates only the rest (`GenerationSummary.cachedPromptTokens`): a
/// conversation's next turn, or another request with the same system prompt, skips what is cached.
///
/// A token depends only on its own sequence (a batched matrix product equals the single-row one
/// bit for bit, and attention reads only the sequence's own cache), so a request with a seed gives
/// the same tokens alone or beside others.
public final class BatchScheduler: Sendable {
    public let model: LanguageModel
    /// Sequences that decode together.
    public let sequences: Int
    /// Positions each sequence holds.
    public let capacity: Int
    private let mailbox: Mailbox

    /// What the scheduler is doing, as of its last step.
    public struct Statistics: Sendable, Equatable {
        /// Sequences with a request (evaluating its prompt or decoding).
        public var busySequences = 0
        /// Requests waiting for a free sequence.
        public var waitingRequests = 0
        /// Positions whose keys and values are cached, over all sequences (finished ones' included).
        public var cachedPositions = 0
        /// Positions all sequences can hold.
        public var cachePositions = 0
        /// Prompt tokens taken from the cache instead of being evaluated, since the start.
        public var reusedPromptTokens = 0
    }

    /// - Parameters:
    ///   - sequences: generations that decode together (at most the model's `maxBatch`).
    ///   - capacity: positions of each sequence; the model's context length by default.
    ///   - prefillChunk: prompt tokens evaluated per step while other sequences decode.
    public init(model: LanguageModel, sequences: Int, capacity: Int? = nil, prefillChunk: Int = 64) {
        self.model = model
        self.sequences = max(1, min(sequences, model.options.maxBatch))
        self.capacity = capacity ?? model.contextLength
        mailbox = Mailbox(cachePositions: self.sequences * self.capacity)
        let loop = Loop(model: model, sequences: self.sequences, capacity: self.capacity,
                        prefillChunk: max(1, prefillChunk), mailbox: mailbox)
        let thread = Thread { loop.run() }
        thread.name = "kinglet.scheduler"
        thread.start()
    }

    deinit { mailbox.close() }

    /// Generates after `prompt` as one of the batch's sequences, as a stream of events ending with
    /// `.done`, like `LanguageModel.generate`. Stop iterating (or cancel the consuming task) and the
    /// sequence is freed before the next step.
    /// - Throws (from the stream): `KingletError.promptTooLong`, `.emptyPrompt`, a token id outside
    ///   the vocabulary as `.model(.tokenOutOfRange)`, and grammar errors.
    public func generate(prompt: [Int32], parameters: GenerationParameters = .init()) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self)
        // Checked here, so one request's bad input can never fail a step that others share.
        let vocabulary = model.shape.vocabularySize
        if prompt.isEmpty {
            continuation.finish(throwing: KingletError.emptyPrompt)
        } else if prompt.count > capacity {
            continuation.finish(throwing: KingletError.promptTooLong(tokens: prompt.count, context: capacity))
        } else if let bad = prompt.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
            continuation.finish(throwing: KingletError.model(.tokenOutOfRange(bad, vocabularySize: vocabulary)))
        } else {
            let request = Request(prompt: prompt, parameters: parameters, continuation: continuation)
            continuation.onTermination = { _ in request.cancelled.cancel() }
            mailbox.post(request)
        }
        return stream
    }

    public var statistics: Statistics { mailbox.statistics }
}

/// One request, from `generate` to its last event.
private final class Request: Sendable {
    let prompt: [Int32]
    let parameters: GenerationParameters
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let cancelled = CancellationFlag()

    init(prompt: [Int32], parameters: GenerationParameters,
         continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) {
        self.prompt = prompt
        self.parameters = parameters
        self.continuation = continuation
    }
}

/// Where requests wait for the loop, and where the loop posts its statistics.
private final class Mailbox: Sendable {
    private struct Contents {
        var requests: [Request] = []
        var closed = false
        var statistics: BatchScheduler.Statistics
    }

    private let contents: Mutex<Contents>
    private let signal = DispatchSemaphore(value: 0)

    init(cachePositions: Int) {
        contents = Mutex(Contents(statistics: .init(cachePositions: cachePositions)))
    }

    func post(_ request: Request) {
        contents.withLock { $0.requests.append(request) }
        signal.signal()
    }

    func close() {
        contents.withLock { $0.closed = true }
        signal.signal()
    }

    /// The requests posted since the last call, and whether the scheduler is gone.
    func take() -> (requests: [Request], closed: Bool) {
        contents.withLock { contents in
            defer { contents.requests.removeAll() }
            return (contents.requests, contents.closed)
        }
    }

    /// Blocks until something is posted.
    func wait() { signal.wait() }

    var statistics: BatchScheduler.Statistics {
        get { contents.withLock { $0.statistics } }
        set { contents.withLock { $0.statistics = newValue } }
    }
}

/// The scheduler's thread: owns the cache and every sequence's state.
private final class Loop: @unchecked Sendable {
    /// A sequence of the cache, and the request using it if any. A class, so a run's state is
    /// mutated in place (a copy would copy its text and buffers every token).
    final class Sequence {
        /// Tokens whose keys and values the cache holds, in order.
        var tokens: [Int32] = []
        var run: Run?
        /// When a request last took it: among equally useful free sequences the least recently
        /// used one is taken, so useful prefixes live longer.
        var lastUsed = 0
    }

    /// A request at work on a sequence.
    struct Run {
        let request: Request
        var decoding: Decoding
        /// Prompt tokens taken from the cache.
        let reused: Int
        /// The token to feed next when decoding; nil while prompt tokens remain.
        var next: Int32?
        let admitted: ContinuousClock.Instant
        var promptSeconds = 0.0
        var decodeTime = Duration.zero
        var decodeSteps = 0
    }

    let model: LanguageModel
    let capacity: Int
    let prefillChunk: Int
    let mailbox: Mailbox
    let cache: KVCache
    let logits: UnsafeMutablePointer<Float>
    let slots: [Sequence]
    var waiting: [Request] = []
    var batch = Batch()
    /// The sequence of each logits row of the step.
    var rows: [Int] = []
    var admissions = 0
    var reusedPromptTokens = 0
    let clock = ContinuousClock()

    init(model: LanguageModel, sequences: Int, capacity: Int, prefillChunk: Int, mailbox: Mailbox) {
        self.model = model
        self.capacity = capacity
        self.prefillChunk = prefillChunk
        self.mailbox = mailbox
        cache = model.makeCache(sequences: sequences, capacity: capacity)
        logits = .allocate(capacity: sequences * model.shape.vocabularySize)
        slots = (0..<sequences).map { _ in Sequence() }
        for slot in slots { slot.tokens.reserveCapacity(capacity) }
        rows.reserveCapacity(sequences)
    }

    deinit { logits.deallocate() }

    func run() {
        while true {
            let (posted, closed) = mailbox.take()
            waiting += posted
            waiting.removeAll { $0.cancelled.isCancelled }
            admitWaiting()
            publishStatistics()
            if slots.allSatisfy({ $0.run == nil }) {
                if closed { return }
                mailbox.wait()
                continue
            }
            step()
        }
    }

    // MARK: Admission

    /// Gives free sequences to waiting requests, first come first served.
    func admitWaiting() {
        while !waiting.isEmpty, slots.contains(where: { $0.run == nil }) {
            admit(waiting.removeFirst())
        }
    }

    /// Puts `request` on a free sequence, with as much of its prompt already cached as any sequence
    /// has. A free sequence whose whole cache starts the prompt (a conversation's next turn) is
    /// continued; otherwise the least recently used free one is taken, and the longest matching
    /// prefix of any sequence (running ones included) is copied into it, so caches others may
    /// still use are not cut.
    func admit(_ request: Request) {
        let prompt = request.prompt
        let common = slots.map { reusablePrefix(of: $0.tokens, for: prompt) }
        let free = slots.indices.filter { slots[$0].run == nil }
        let s = free.first { common[$0] > 0 && common[$0] == slots[$0].tokens.count }
            ?? free.min { slots[$0].lastUsed < slots[$1].lastUsed }!
        let source = common.indices.max { common[$0] < common[$1] }!
        let kept: Int
        if common[source] > common[s], cache.copy(sequence: source, to: s, count: common[source]) {
            slots[s].tokens.removeAll(keepingCapacity: true)
            slots[s].tokens += slots[source].tokens[..<common[source]]
            kept = common[source]
        } else {
            // A recurrent model keeps all of its state or none (see `KVCache.truncate`).
            kept = cache.truncate(sequence: s, to: common[s])
            slots[s].tokens.removeSubrange(kept...)
        }
        admissions += 1
        slots[s].lastUsed = admissions
        reusedPromptTokens += kept
        let decoding = Decoding(model: model, parameters: request.parameters, room: capacity - prompt.count)
        slots[s].run = Run(request: request, decoding: decoding, reused: kept, admitted: clock.now)
    }

    // MARK: Steps

    /// One forward pass: a token for each decoding sequence, then prompt chunks, then the next tokens.
    func step() {
        batch.removeAll()
        rows.removeAll(keepingCapacity: true)
        var decoding = 0
        for s in slots.indices {
            guard let run = slots[s].run else { continue }
            if run.request.cancelled.isCancelled {
                end(s)
            } else if let next = run.next {
                batch.add(next, position: slots[s].tokens.count, sequence: s, logits: true)
                rows.append(s)
                decoding += 1
            }
        }
        // Alone, a prompt goes at full speed; beside decoding sequences, in chunks that keep their streams moving.
        var budget = model.options.maxBatch - decoding
        if decoding > 0 { budget = min(budget, prefillChunk) }
        for s in slots.indices where budget > 0 {
            guard let run = slots[s].run, run.next == nil else { continue }
            let prompt = run.request.prompt, start = slots[s].tokens.count
            let end = min(prompt.count, start + budget)
            for i in start..<end {
                batch.add(prompt[i], position: i, sequence: s, logits: i == prompt.count - 1)
            }
            if end == prompt.count { rows.append(s) }
            budget -= end - start
        }
        guard !batch.isEmpty else { return }

        let started = clock.now
        do throws(KingletError) {
            let batch = self.batch, cache = self.cache, logits = self.logits
            try model.withArchitecture { architecture throws(KingletError) in
                do throws(ModelError) { try architecture.forward(batch, cache: cache, logits: logits) } catch { throw .model(error) }
            }
        } catch {
            // Inputs are checked before they join a batch, so this is the model failing: fail
            // every request of the step and forget what their sequences held.
            for s in Set(batch.sequences) {
                slots[s].run?.request.continuation.finish(throwing: error)
                slots[s].run = nil
                slots[s].tokens.removeAll()
                _ = cache.truncate(sequence: s)
            }
            return
        }
        let now = clock.now
        for i in 0..<batch.count { slots[batch.sequences[i]].tokens.append(batch.tokens[i]) }

        let vocabulary = model.shape.vocabularySize
        for (row, s) in rows.enumerated() {
            let slot = slots[s]
            guard slot.run != nil else { continue }
            if slot.run!.next == nil {
                slot.run!.promptSeconds = (now - slot.run!.admitted).seconds
            } else {
                slot.run!.decodeTime += now - started
                slot.run!.decodeSteps += 1
            }
            let rowLogits = UnsafeBufferPointer(start: logits + row * vocabulary, count: vocabulary)
            let continuation = slot.run!.request.continuation
            do throws(KingletError) {
                slot.run!.next = try slot.run!.decoding.next(after: rowLogits, history: slot.tokens,
                                                             contextFull: slot.tokens.count >= capacity) { continuation.yield($0) }
            } catch {
                continuation.finish(throwing: error)
                slot.run = nil
                continue
            }
            if slot.run!.next == nil { end(s) }
        }
    }

    /// Ends the request on sequence `s` (finished, or its consumer gone) and frees the sequence;
    /// its cached tokens stay for a later prompt that starts the same way.
    func end(_ s: Int) {
        let slot = slots[s]
        guard slot.run != nil else { return }
        if slot.run!.request.cancelled.isCancelled { slot.run!.decoding.cancel() }
        let continuation = slot.run!.request.continuation
        slot.run!.decoding.finish { continuation.yield($0) }
        let run = slot.run!
        let summary = run.decoding.summary(
            promptTokens: run.request.prompt.count, cachedPromptTokens: run.reused, promptSeconds: run.promptSeconds,
            decodeSeconds: run.decodeTime.seconds, decodeSteps: run.decodeSteps)
        slot.run = nil
        publishStatistics()   // before the consumer hears the end, so it sees the sequence free
        continuation.yield(.done(summary))
        continuation.finish()
    }

    func publishStatistics() {
        var statistics = BatchScheduler.Statistics(cachePositions: slots.count * capacity)
        statistics.busySequences = slots.count { $0.run != nil }
        statistics.waitingRequests = waiting.count
        statistics.cachedPositions = cache.lengths.reduce(0, +)
        statistics.reusedPromptTokens = reusedPromptTokens
        mailbox.statistics = statistics
    }
}
