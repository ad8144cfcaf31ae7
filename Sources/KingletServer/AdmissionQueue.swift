import Synchronization

/// Lets at most `parallel` requests generate at once; up to `queueLimit` more wait their turn
/// (first come, first served), and any beyond that are refused with 503.
///
/// Each admitted request holds a `Slot` until its response is written; the slot frees
/// itself when released or dropped, so an error path cannot leak it.
final class AdmissionQueue: Sendable {
    let parallel: Int
    let queueLimit: Int

    private struct State {
        var active = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var cancelled = 0
    }

    private let state = Mutex(State())

    init(parallel: Int, queueLimit: Int) {
        self.parallel = parallel
        self.queueLimit = queueLimit
    }

    /// A slot, waiting for one when all are taken.
    /// - Throws: `OpenAIError` 503 (with `Retry-After`) when the queue is full.
    func acquire() async throws(OpenAIError) -> Slot {
        enum Decision { case admitted, queued, refused }
        var decision = Decision.refused
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            decision = state.withLock { state in
                if state.active < parallel {
                    state.active += 1
                    return .admitted
                }
                guard state.waiting.count < queueLimit else { return .refused }
                state.waiting.append(continuation)
                return .queued
            }
            if decision != .queued { continuation.resume() }
        }
        if decision == .refused { throw .busy(retryAfter: 1) }
        return Slot(queue: self)
    }

    /// Hands the slot to the longest-waiting request, or frees it.
    fileprivate func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.active -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }

    /// Counts a generation stopped because its client went away.
    func recordCancellation() {
        state.withLock { $0.cancelled += 1 }
    }

    var counts: (active: Int, waiting: Int, cancelled: Int) {
        state.withLock { ($0.active, $0.waiting.count, $0.cancelled) }
    }
}

/// The right to generate, held by one request; freed once, by `release()` or on deinit.
final class Slot: Sendable {
    private let queue: AdmissionQueue
    private let released = Atomic<Bool>(false)

    fileprivate init(queue: AdmissionQueue) {
        self.queue = queue
    }

    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { queue.release() }
    }

    deinit { release() }
}
