import SIMDIntrinsics
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A persistent pool of threads that run one parallel region at a time.
///
/// The calling thread is worker 0 and does its share, so `WorkerPool(threads: 1)`
/// runs everything inline. Workers spin for a short while after each region
/// (a decoded token runs ~170 regions a few microseconds apart, and a wake-up
/// through the kernel costs ~45 µs — see shared/specs/swift-kernels.md §6), then
/// sleep on a condition variable so an idle or oversubscribed machine is not
/// burned by spinning.
///
/// ```swift
/// let pool = WorkerPool(threads: 2)
/// pool.run { thread, threads in
///     for row in WorkerPool.share(of: rows, thread: thread, threads: threads) { … }
/// }
/// ```
public final class WorkerPool: Sendable {
    /// Number of threads taking part in a region, the caller included.
    public let threads: Int
    private let state: PoolState
    private let runLock = Mutex<[pthread_t]>([])

    /// Creates a pool of `threads` threads in all (at least 1; the caller counts as one).
    public init(threads: Int) {
        self.threads = max(1, threads)
        state = PoolState(threads: self.threads)
        var started: [pthread_t] = []
        for index in 1..<self.threads {
            // The worker holds only the state, never the pool, so the pool's deinit can stop it.
            let box = Unmanaged.passRetained(WorkerStart(state: state, index: index))
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                nameCurrentThread("kinglet-worker")
                let start = Unmanaged<WorkerStart>.fromOpaque(raw!).takeRetainedValue()
                start.state.workerLoop(index: start.index)
                return nil
            }, box.toOpaque())
            precondition(status == 0, "pthread_create failed with \(status)")
            started.append(thread)
        }
        runLock.withLock { $0 = started }
    }

    deinit {
        state.stop()
        runLock.withLock { threads in
            for thread in threads { pthread_join(thread, nil) }
        }
    }

    /// Runs `work.run(thread:threads:)` once on every thread of the pool and returns when all
    /// are done. The workers read `work` where it lies on the caller's stack, so a region
    /// allocates nothing: what the decode loop uses.
    ///
    /// Calls from several tasks are serialized.
    public func run<Work: ParallelWork>(_ work: Work) {
        if threads == 1 { work.run(thread: 0, threads: 1); return }
        withUnsafePointer(to: work) { pointer in
            runLock.withLock { _ in state.run(UnsafeRawPointer(pointer), Work.self) }
        }
    }

    /// Runs `body(thread, threads)` once on every thread of the pool and returns when all are done.
    ///
    /// Handing a closure to other threads boxes it (one small allocation per call); per-token
    /// regions use `run(_: ParallelWork)` instead.
    public func run(_ body: (_ thread: Int, _ threads: Int) -> Void) {
        if threads == 1 { body(0, 1); return }
        withoutActuallyEscaping(body) { body in run(ClosureWork(body: body)) }
    }

    /// The contiguous part of `0..<count` that `thread` of `threads` handles.
    @inlinable
    public static func share(of count: Int, thread: Int, threads: Int) -> Range<Int> {
        (count &* thread / threads)..<(count &* (thread &+ 1) / threads)
    }
}

/// One parallel region's work: `run(thread:threads:)` is called once on every thread of a
/// `WorkerPool`, the caller being thread 0. Usually a struct of pointers and sizes.
public protocol ParallelWork {
    func run(thread: Int, threads: Int)
}

extension ParallelWork {
    /// Runs the work of this type at `work` (how a worker calls it without knowing the type).
    fileprivate static func run(at work: UnsafeRawPointer, thread: Int, threads: Int) {
        work.assumingMemoryBound(to: Self.self).pointee.run(thread: thread, threads: threads)
    }
}

private struct ClosureWork: ParallelWork {
    let body: (Int, Int) -> Void
    func run(thread: Int, threads: Int) { body(thread, threads) }
}

/// What the pool's threads share.
private final class PoolState: @unchecked Sendable {
    // @unchecked Sendable: `work` and `workType` are written only inside `run` (callers serialized by
    // WorkerPool.runLock) before the sequentially consistent `generation` bump that
    // publishes it, and read by workers only after they observe that bump; `pending`
    // returning to 0 (release/acquire) orders their reads before the next write.
    // Everything else is atomics or guarded by `mutex`.
    let threads: Int
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private var work: UnsafeRawPointer?
    private var workType: (any ParallelWork.Type)?
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// How long a worker polls for the next region before it sleeps.
    private static let spinNanoseconds: UInt64 = 200_000

    init(threads: Int) {
        self.threads = threads
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wake.deallocate()
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        broadcast()
    }

    func run(_ work: UnsafeRawPointer, _ type: any ParallelWork.Type) {
        self.work = work
        workType = type
        pending.store(threads - 1, ordering: .relaxed)
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 { broadcast() }
        type.run(at: work, thread: 0, threads: threads)
        var polls = 0
        while pending.load(ordering: .acquiring) != 0 {
            polls &+= 1
            if polls & 1023 == 0 { sched_yield() } else { spinPause() }
        }
        self.work = nil
        workType = nil
    }

    private func broadcast() {
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
    }

    func workerLoop(index: Int) {
        // Not a load of `generation`: a thread that starts after the first `run`
        // has bumped it would take that region as already seen and never run it.
        var seen = 0
        while true {
            // Spin, then sleep until the generation moves on.
            let spinStart = Self.now()
            var current = generation.load(ordering: .acquiring)
            var polls = 0
            while current == seen && !stopping.load(ordering: .relaxed) {
                polls &+= 1
                spinPause()
                // Reading the clock costs more than a poll; look at it every 64 polls.
                if polls & 63 == 0 && Self.now() &- spinStart > Self.spinNanoseconds {
                    pthread_mutex_lock(mutex)
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen
                        && !stopping.load(ordering: .sequentiallyConsistent) {
                        pthread_cond_wait(wake, mutex)
                    }
                    sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                }
                current = generation.load(ordering: .acquiring)
            }
            if stopping.load(ordering: .acquiring) { return }
            seen = current
            if let workType, let work { workType.run(at: work, thread: index, threads: threads) }
            pending.wrappingSubtract(1, ordering: .releasing)
        }
    }

    private static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// Names the calling thread, so `top -H`, `perf` and debuggers show which threads are ours. Linux only; Glibc's module does not export
/// `pthread_setname_np`, so the name is written where the kernel keeps it.
private func nameCurrentThread(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY)
    guard fd >= 0 else { return }
    _ = name.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    #endif
}

/// One iteration's pause in a spin-wait loop.
@inline(__always)
private func spinPause() {
    #if arch(x86_64)
    X86.pause()
    #endif
}

private final class WorkerStart {
    let state: PoolState
    let index: Int
    init(state: PoolState, index: Int) { self.state = state; self.index = index }
}
