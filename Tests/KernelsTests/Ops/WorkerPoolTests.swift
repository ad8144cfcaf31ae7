// Pins down the worker pool: every share runs exactly once per region, on every thread, region after region.
import Kernels
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyIndexRunsOnce(threads: Int) {
        let pool = WorkerPool(threads: threads)
        let count = 1000
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        defer { hits.deallocate() }
        hits.initialize(repeating: 0, count: count)
        for _ in 0..<200 {
            pool.run { thread, threads in
                for i in WorkerPool.share(of: count, thread: thread, threads: threads) { hits[i] += 1 }
            }
        }
        #expect((0..<count).allSatisfy { hits[$0] == 200 })
    }

    @Test func everyThreadTakesPart() {
        let pool = WorkerPool(threads: 2)
        let seen = Atomic<Int>(0)
        pool.run { thread, _ in seen.wrappingAdd(1 << thread, ordering: .relaxed) }
        #expect(seen.load(ordering: .relaxed) == 0b11)
    }

    @Test func aRegionRightAfterCreationRunsOnEveryThread() {
        // Workers may start after the first region is published; they must still run it.
        for _ in 0..<100 {
            let pool = WorkerPool(threads: 2)
            let seen = Atomic<Int>(0)
            pool.run { thread, _ in seen.wrappingAdd(1 << thread, ordering: .relaxed) }
            #expect(seen.load(ordering: .relaxed) == 0b11)
        }
    }

    @Test func sleepingWorkersWakeUp() throws {
        let pool = WorkerPool(threads: 2)
        let total = Atomic<Int>(0)
        for _ in 0..<3 {
            // Longer than the spin window, so the worker has gone to sleep.
            usleep(5_000)
            pool.run { _, _ in total.wrappingAdd(1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 6)
    }

    @Test func sharesCoverTheRangeInOrder() {
        for count in [0, 1, 7, 100] {
            for threads in 1...4 {
                let shares = (0..<threads).map { WorkerPool.share(of: count, thread: $0, threads: threads) }
                #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == count)
                #expect(zip(shares, shares.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            }
        }
    }
}
