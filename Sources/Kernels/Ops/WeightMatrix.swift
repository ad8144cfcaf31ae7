/// A read-only view of a weight matrix stored in a block format, usually pointing into a
/// memory-mapped model file (never copied), or into an interleaved copy.
///
/// Row `r` holds `columns` weights in `format`, `rowBytes` bytes long; `y = W·x`
/// produces one output per row (ggml's `ne[1]` rows of `ne[0]` elements). Rows lie one after
/// another, or, when `interleaved`, in their format's interleaved layout (see
/// `interleaving(into:pool:)`).
public struct WeightMatrix: @unchecked Sendable {
    // @unchecked Sendable: the pointer is into read-only memory (a PROT_READ
    // mapping or a buffer that outlives the model) that no one writes.
    public let base: UnsafeRawPointer
    public let format: WeightFormat
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int
    /// Whether the matrix is in its format's interleaved layout: for Q4_0, Q5_0 and Q8_0 the rows
    /// below `rows − rows % 4` stored four at a time, block by block; for Q4_K, Q5_K and Q6_K each
    /// super-block's quants reordered (`InterleavedSuperBlock`).
    public let interleaved: Bool

    /// Whether this matrix's activations are quantized with `interleaved` (`Quantize.row`): an
    /// interleaved Q4_K, Q5_K or Q6_K matrix's are.
    public var interleavesActivations: Bool { interleaved && format.interleavedBlock != nil }

    /// Whether rows are interleaved four at a time (Q4_0, Q5_0 and Q8_0).
    private var interleavesRows: Bool { interleaved && format.interleavedBlock == nil }

    public init(base: UnsafeRawPointer, format: WeightFormat, rows: Int, columns: Int) {
        self.init(base: base, format: format, rows: rows, columns: columns, interleaved: false)
    }

    private init(base: UnsafeRawPointer, format: WeightFormat, rows: Int, columns: Int, interleaved: Bool) {
        self.base = base
        self.format = format
        self.rows = rows
        self.columns = columns
        self.rowBytes = format.rowBytes(columns)
        self.interleaved = interleaved
    }

    /// Start of row `r` of a row-major matrix (or of an interleaved one's group of four at `r`).
    @inlinable
    public func row(_ r: Int) -> UnsafeRawPointer { base + r &* rowBytes }

    /// Rows `range` as a matrix of their own, viewing the same bytes: how a fused projection
    /// (Phi-3's `attn_qkv`, `ffn_up` holding gate and up) is split without a copy. In an
    /// interleaved Q4_0, Q5_0 or Q8_0 matrix the range must start at a group of four, and end at
    /// one or at the end.
    public func rows(_ range: Range<Int>) -> WeightMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a \(rows)-row matrix")
        precondition(!interleavesRows || (range.lowerBound % 4 == 0 && (range.upperBound % 4 == 0 || range.upperBound == rows)),
                     "rows \(range) split a group of four interleaved rows")
        return WeightMatrix(base: row(range.lowerBound), format: format, rows: range.count, columns: columns,
                            interleaved: interleaved)
    }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows &* rowBytes }

    /// Writes row `r` as floats into `dst` (`columns` values): an embedding lookup.
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        if interleaved, let block = format.interleavedBlock { return block.dequantize(row(r), dst, count: columns) }
        guard r < groupedRows else { return Dequantize.row(format, row(r), dst, count: columns) }
        let blockBytes = format.bytesPerBlock, block = format.blockSize
        let first = row(r & ~3) + (r & 3) &* blockBytes
        for b in 0..<(columns / block) {
            Dequantize.row(format, first + b &* 4 &* blockBytes, dst + b &* block, count: block)
        }
    }

    /// Whether `interleaving(into:pool:)` applies to this matrix's format: the formats whose decode
    /// dot is one float chain per row (Q4_0, Q5_0, Q8_0), and the K-quants with an
    /// `InterleavedSuperBlock` layout (Q4_K, Q5_K, Q6_K).
    public var isInterleavable: Bool {
        !interleaved && (format.interleavedBlock != nil || format.block is any SignedBlockFormat.Type)
    }

    /// Copies the matrix into `destination` (`byteCount` bytes) in its format's interleaved layout,
    /// in which decode runs fewer instructions per weight; every product stays the row-major
    /// matrix's, bit for bit. With a `pool`, its threads copy a share each.
    /// - Q4_0, Q5_0, Q8_0: each group of four rows interleaved block by block (block b of rows
    ///   4g…4g + 3, then block b + 1 of the same rows), so that decode dots four rows at once, each
    ///   in its own float chain, from one forward stream. Rows past the last group of four stay
    ///   row-major at the end.
    /// - Q4_K, Q5_K, Q6_K: each super-block's quants reordered (`InterleavedSuperBlock`); rows stay in
    ///   place.
    public func interleaving(into destination: UnsafeMutableRawPointer, pool: WorkerPool? = nil) -> WeightMatrix {
        precondition(isInterleavable, "\(format) matrices are not interleaved")
        let units: Int, copy: (Range<Int>) -> Void
        if let block = format.interleavedBlock {
            units = rows
            copy = { rows in
                for r in rows { block.interleave(row(r), into: destination + r &* rowBytes, count: columns) }
            }
        } else {
            let blockBytes = format.bytesPerBlock, blocks = columns / format.blockSize
            units = (rows & ~3) / 4
            copy = { groups in
                for g in groups {
                    let group = destination + 4 &* g &* rowBytes
                    for i in 0..<4 {
                        let source = row(4 &* g &+ i)
                        for b in 0..<blocks {
                            (group + (b &* 4 &+ i) &* blockBytes).copyMemory(from: source + b &* blockBytes,
                                                                             byteCount: blockBytes)
                        }
                    }
                }
            }
            let tail = rows & ~3
            (destination + tail &* rowBytes).copyMemory(from: row(tail), byteCount: (rows &- tail) &* rowBytes)
        }
        if let pool {
            pool.run { thread, threads in copy(WorkerPool.share(of: units, thread: thread, threads: threads)) }
        } else {
            copy(0..<units)
        }
        return WeightMatrix(base: UnsafeRawPointer(destination), format: format, rows: rows, columns: columns,
                            interleaved: true)
    }

    /// Rows in whole groups of four: the interleaved part of a matrix whose rows are interleaved.
    var groupedRows: Int { interleavesRows ? rows & ~3 : 0 }

    /// The part of rows `0..<rows` that `thread` of `threads` multiplies: `WorkerPool.share`, in
    /// whole groups of four when rows are interleaved.
    func share(thread: Int, threads: Int) -> Range<Int> {
        guard interleavesRows else { return WorkerPool.share(of: rows, thread: thread, threads: threads) }
        let groups = WorkerPool.share(of: (rows &+ 3) / 4, thread: thread, threads: threads)
        return groups.lowerBound &* 4 ..< Swift.min(groups.upperBound &* 4, rows)
    }

    /// Rows `range` (starting at a group of four when rows are interleaved) times `tokens`
    /// activation rows in `format.activationFormat` (interleaved when `interleavesActivations`):
    /// `Dot.tile`'s result (r, t) at `out[t·outputStride + r − range.lowerBound]`.
    func tile(_ range: Range<Int>, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
              into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        var start = range.lowerBound
        if start < groupedRows {
            let end = Swift.min(range.upperBound, groupedRows)
            Dot.tile(format, row(start), rowBytes: rowBytes, rows: end &- start, interleaved: true, activations,
                     activationStride: activationStride, tokens: tokens, count: columns, into: out,
                     outputStride: outputStride)
            start = end
        }
        guard start < range.upperBound else { return }
        Dot.tile(format, row(start), rowBytes: rowBytes, rows: range.upperBound &- start,
                 interleaved: interleavesActivations, activations,
                 activationStride: activationStride, tokens: tokens, count: columns,
                 into: out + (start &- range.lowerBound), outputStride: outputStride)
    }
}
