/// How fast the decode kernel of each weight format runs, in weight bytes per second: one
/// activation row times a matrix of synthetic weights through `Ops.matMul`, the model's own path.
///
/// Measured twice, so a kernel's speed can be read against the memory roofline: on a matrix that
/// stays in the core's cache (what the kernel's instructions allow) and on one far larger than
/// the last-level cache (what a decode step gets). A kernel whose in-cache speed is not well above
/// the machine's read bandwidth makes decode compute-bound.
public enum DecodeKernelBenchmark {
    /// One format's two speeds.
    public struct Result: Sendable {
        public let format: WeightFormat
        public let columns: Int
        /// Weight bytes per second over a matrix of `cachedBytes`, read again and again.
        public let cachedBytesPerSecond: Double
        /// Weight bytes per second over a matrix of `streamedBytes`, read once per pass.
        public let streamedBytesPerSecond: Double
    }

    /// The formats a GGUF's weight matrices come in, which this benchmark can fill with valid blocks.
    public static let formats: [WeightFormat] = [.q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Times `format`'s decode kernel on `threads` threads: rows of `columns` weights, the best
    /// pass of each matrix, passes repeated until each matrix has been read about 2 GB worth.
    public static func measure(_ format: WeightFormat, columns: Int, threads: Int,
                               cachedBytes: Int = 512 << 10, streamedBytes: Int = 512 << 20) -> Result {
        precondition(formats.contains(format), "\(format) has no synthetic weights")
        let pool = WorkerPool(threads: threads)
        let scratch = ActivationScratch()
        let x = UnsafeMutablePointer<Float>.allocate(capacity: columns)
        defer { x.deallocate() }
        for i in 0..<columns { x[i] = Float((i &* 37) % 101) / 50 - 1 }
        func speed(_ bytes: Int) -> Double {
            let matrix = SyntheticMatrix(format, columns: columns, bytes: bytes)
            defer { matrix.deallocate() }
            let y = UnsafeMutablePointer<Float>.allocate(capacity: matrix.weights.rows)
            defer { y.deallocate() }
            let read = matrix.weights.rows &* matrix.weights.rowBytes
            let clock = ContinuousClock()
            var best = Duration.seconds(1_000)
            for _ in 0..<max(3, (2 << 30) / read) {
                let start = clock.now
                Ops.matMul(matrix.weights, x, y, tokens: 1, scratch: scratch, pool: pool)
                best = min(best, clock.now - start)
            }
            precondition(y[0].isFinite, "synthetic \(format) weights gave a non-finite dot product")
            let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
            return Double(read) / seconds
        }
        return Result(format: format, columns: columns, cachedBytesPerSecond: speed(cachedBytes),
                      streamedBytesPerSecond: speed(streamedBytes))
    }
}

/// A weight matrix of random quants whose fp16 scale fields hold one small value, so every dot
/// product is finite (random bytes there would give infinities and NaNs).
private struct SyntheticMatrix {
    let weights: WeightMatrix
    private var base: UnsafeMutableRawPointer

    init(_ format: WeightFormat, columns: Int, bytes: Int) {
        let rowBytes = format.rowBytes(columns)
        let rows = max(1, bytes / rowBytes)
        let count = rows &* rowBytes
        base = .allocate(byteCount: count, alignment: 64)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in stride(from: 0, to: count, by: 4) {
            // A 64-bit linear congruential generator; its top half is random enough for quants.
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let word = UInt32(truncatingIfNeeded: state >> 32)
            for k in 0..<min(4, count &- i) {
                base.storeBytes(of: UInt8(truncatingIfNeeded: word >> (8 &* k)), toByteOffset: i &+ k, as: UInt8.self)
            }
        }
        var offset = 0
        for field in format.block.fields {
            if field.bytes == 2, ["d", "dmin", "m"].contains(field.name) {
                for block in 0..<(count / format.bytesPerBlock) {
                    // 2^-7 as fp16.
                    base.storeBytes(of: UInt16(0x2000), toByteOffset: block &* format.bytesPerBlock &+ offset,
                                    as: UInt16.self)
                }
            }
            offset &+= field.bytes
        }
        let plain = WeightMatrix(base: UnsafeRawPointer(base), format: format, rows: rows, columns: columns)
        guard plain.isInterleavable else {
            weights = plain
            return
        }
        // As a model loads them (`WeightMatrix.interleaving(into:pool:)`).
        let interleaved = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 64)
        weights = plain.interleaving(into: interleaved)
        base.deallocate()
        base = interleaved
    }

    func deallocate() { base.deallocate() }
}
