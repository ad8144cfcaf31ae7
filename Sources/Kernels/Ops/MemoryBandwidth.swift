/// How fast this machine streams memory into the cores: the ceiling of a decode
/// step, which reads every weight once per token.
public enum MemoryBandwidth {
    /// Bytes per second at which `threads` threads of a `WorkerPool` read a buffer of
    /// `bytes` bytes (make it far larger than the last-level cache), the best of `passes` reads.
    ///
    /// Each thread reads its contiguous share with 64-byte SIMD loads into four
    /// independent sums, which are kept so the reads are not optimized away. The
    /// buffer is written once first, so page faults are not timed.
    public static func read(threads: Int, bytes: Int = 1 << 30, passes: Int = 5) -> Double {
        let pool = WorkerPool(threads: threads)
        let vectorBytes = MemoryLayout<SIMD16<UInt32>>.stride
        let stepBytes = 4 * vectorBytes
        let steps = max(1, bytes / stepBytes)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: steps * stepBytes, alignment: 4096)
        defer { buffer.deallocate() }
        // One 64-byte slot per thread for its sum (no two threads write the same cache line).
        let sums = UnsafeMutablePointer<SIMD16<UInt32>>.allocate(capacity: pool.threads)
        defer { sums.deallocate() }
        sums.initialize(repeating: .zero, count: pool.threads)

        pool.run { thread, threads in
            let share = WorkerPool.share(of: steps, thread: thread, threads: threads)
            (buffer + share.lowerBound * stepBytes).initializeMemory(
                as: UInt8.self, repeating: UInt8(truncatingIfNeeded: thread &+ 1), count: share.count * stepBytes)
        }
        let clock = ContinuousClock()
        var best = 0.0
        for _ in 0..<max(1, passes) {
            let start = clock.now
            pool.run { thread, threads in
                let share = WorkerPool.share(of: steps, thread: thread, threads: threads)
                var a = SIMD16<UInt32>(), b = a, c = a, d = a
                var p = UnsafeRawPointer(buffer + share.lowerBound * stepBytes)
                for _ in share {
                    a &+= p.load(as: SIMD16<UInt32>.self)
                    b &+= p.load(fromByteOffset: vectorBytes, as: SIMD16<UInt32>.self)
                    c &+= p.load(fromByteOffset: 2 * vectorBytes, as: SIMD16<UInt32>.self)
                    d &+= p.load(fromByteOffset: 3 * vectorBytes, as: SIMD16<UInt32>.self)
                    p += stepBytes
                }
                sums[thread] &+= a &+ b &+ c &+ d
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            if seconds > 0 { best = max(best, Double(steps * stepBytes) / seconds) }
        }
        // The sums depend on every byte read; looking at them keeps the loads alive.
        var total = SIMD16<UInt32>()
        for thread in 0..<pool.threads { total &+= sums[thread] }
        return total == SIMD16(repeating: 0x5A5A_5A5A) ? best.nextUp : best
    }
}
