/// Reusable space for activations quantized to a weight format's partner
/// format (Q8_0, Q8_1, Q8_K), so matrix products allocate nothing per call.
public final class ActivationScratch: @unchecked Sendable {
    // @unchecked Sendable: owned by one model instance and used only inside its
    // forward pass, which callers serialize.
    public private(set) var bytes: UnsafeMutableRawPointer
    public private(set) var capacity: Int

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        bytes = .allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { bytes.deallocate() }

    /// Makes room for `count` bytes (grows only; contents are not kept).
    public func reserve(_ count: Int) {
        guard count > capacity else { return }
        bytes.deallocate()
        capacity = count
        bytes = .allocate(byteCount: count, alignment: 64)
    }
}

public enum Ops {
    /// Tokens whose quantized activations (about 1 KB each for a 1k-wide row) stay in
    /// cache while a thread's weight rows stream past them.
    @usableFromInline static let tokenTile = 64
    /// Weight rows handed to `Dot.tile` at once.
    @usableFromInline static let rowGroup = 16

    /// `y[t] = W · x[t]` for each of `tokens` input rows.
    ///
    /// - Parameters:
    ///   - x: `[tokens, weights.columns]` floats.
    ///   - y: `[tokens, weights.rows]` floats.
    ///   - scratch: space for `x` quantized to `weights.format.activationFormat`
    ///     (ggml's `vec_dot_type`), which is what makes the products match llama.cpp.
    public static func matMul(
        _ weights: WeightMatrix,
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, tokens: Int,
        scratch: ActivationScratch, pool: WorkerPool
    ) {
        let columns = weights.columns, rows = weights.rows
        let activationFormat = weights.format.activationFormat
        let activations: UnsafeRawPointer
        let activationStride: Int
        if activationFormat == .f32 {
            activations = UnsafeRawPointer(x)
            activationStride = columns &* 4
        } else {
            activationStride = activationFormat.rowBytes(columns)
            scratch.reserve(activationStride &* tokens)
            let quantized = scratch.bytes
            if tokens == 1 {
                Quantize.row(x, count: columns, to: activationFormat, quantized, style: .x86Runtime,
                             interleaved: weights.interleavesActivations)
            } else {
                pool.run { thread, threads in
                    for t in WorkerPool.share(of: tokens, thread: thread, threads: threads) {
                        Quantize.row(x + t &* columns, count: columns, to: activationFormat,
                                     quantized + t &* activationStride, style: .x86Runtime,
                                     interleaved: weights.interleavesActivations)
                    }
                }
            }
            activations = UnsafeRawPointer(quantized)
        }
        if tokens == 1 {
            // Decode: each thread streams through a contiguous share of rows: one forward stream
            // per core, which the hardware prefetcher follows best. Rows read in lockstep from
            // their row-major places ran 1.4-3x slower from memory (BENCHMARKS.md, seventh and
            // eighth sessions), so the formats that gain from overlapping rows' float chains are
            // stored interleaved (`WeightMatrix.interleaving(into:pool:)`) and still read as one
            // stream (Q4_K's interleave stays within each super-block). One `Dot.tile` call per
            // share lets a format do once what all the rows need of the activations.
            pool.run(RowDots(weights: weights, activations: activations, output: y))
            return
        }
        // Prefill: rows meet a tile of tokens at once, so their quants are unpacked once per tile
        // and the tile's activations stay in cache while the rows stream past.
        pool.run { thread, threads in
            let mine = weights.share(thread: thread, threads: threads)
            var tileStart = 0
            while tileStart < tokens {
                let tile = min(tokenTile, tokens &- tileStart)
                let a = activations + tileStart &* activationStride
                var r = mine.lowerBound
                while r < mine.upperBound {
                    let group = min(rowGroup, mine.upperBound &- r)
                    weights.tile(r..<(r &+ group), a, activationStride: activationStride, tokens: tile,
                                 into: y + (tileStart &* rows &+ r), outputStride: rows)
                    r &+= group
                }
                tileStart &+= tile
            }
        }
    }
}

/// Decode's region: each thread dots its share of the rows with one activation row.
private struct RowDots: ParallelWork {
    let weights: WeightMatrix
    let activations: UnsafeRawPointer
    let output: UnsafeMutablePointer<Float>

    func run(thread: Int, threads: Int) {
        let mine = weights.share(thread: thread, threads: threads)
        guard !mine.isEmpty else { return }
        weights.tile(mine, activations, activationStride: 0, tokens: 1, into: output + mine.lowerBound, outputStride: 0)
    }
}
