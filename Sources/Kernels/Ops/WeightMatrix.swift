/// A read-only view of a weight matrix stored in a block format, usually pointing into a
/// memory-mapped model file (never copied), or into a copy with rows interleaved.
///
/// Row `r` holds `columns` weights in `format`, `rowBytes` bytes long; `y = W·x`
/// produces one output per row (ggml's `ne[1]` rows of `ne[0]` elements). Rows lie one after
/// another, or, when `interleaved`, in groups of four whose blocks alternate (see
/// `interleavingRows(into:)`).
public struct WeightMatrix: @unchecked Sendable {
    // @unchecked Sendable: the pointer is into read-only memory (a PROT_READ
    // mapping or a buffer that outlives the model) that no one writes.
    public let base: UnsafeRawPointer
    public let format: WeightFormat
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int
    /// Whether the rows below `rows − rows % 4` are stored four at a time, block by block.
    public let interleaved: Bool

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
    /// interleaved matrix the range must start at a group of four, and end at one or at the end.
    public func rows(_ range: Range<Int>) -> WeightMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a \(rows)-row matrix")
        precondition(!interleaved || (range.lowerBound % 4 == 0 && (range.upperBound % 4 == 0 || range.upperBound == rows)),
                     "rows \(range) split a group of four interleaved rows")
        return WeightMatrix(base: row(range.lowerBound), format: format, rows: range.count, columns: columns,
                            interleaved: interleaved)
    }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows &* rowBytes }

    /// Writes row `r` as floats into `dst` (`columns` values): an embedding lookup.
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        guard interleaved && r < groupedRows else { return Dequantize.row(format, row(r), dst, count: columns) }
        let blockBytes = format.bytesPerBlock, block = format.blockSize
        let first = row(r & ~3) + (r & 3) &* blockBytes
        for b in 0..<(columns / block) {
            Dequantize.row(format, first + b &* 4 &* blockBytes, dst + b &* block, count: block)
        }
    }

    /// Whether `interleavingRows(into:)` applies to this matrix's format: the formats whose decode
    /// dot is one float chain per row (Q4_0, Q5_0, Q8_0).
    public var isInterleavable: Bool { !interleaved && format.block is any SignedBlockFormat.Type }

    /// Copies the matrix into `destination` (`byteCount` bytes) with each group of four rows
    /// interleaved block by block: block b of rows 4g…4g + 3, then block b + 1 of the same rows.
    /// Rows past the last group of four stay row-major at the end. Decode then dots four rows at
    /// once, each in its own float chain, from one forward stream: the results are the row-major
    /// matrix's, bit for bit. With a `pool`, its threads copy a share of the groups each.
    public func interleavingRows(into destination: UnsafeMutableRawPointer, pool: WorkerPool? = nil) -> WeightMatrix {
        precondition(isInterleavable, "\(format) rows are not interleaved")
        let blockBytes = format.bytesPerBlock, blocks = columns / format.blockSize
        let copy = { (groups: Range<Int>) in
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
        if let pool {
            pool.run { thread, threads in copy(WorkerPool.share(of: groupedRows / 4, thread: thread, threads: threads)) }
        } else {
            copy(0..<(groupedRows / 4))
        }
        (destination + groupedRows &* rowBytes).copyMemory(from: row(groupedRows),
                                                            byteCount: (rows &- groupedRows) &* rowBytes)
        return WeightMatrix(base: UnsafeRawPointer(destination), format: format, rows: rows, columns: columns,
                            interleaved: true)
    }

    /// Rows in whole groups of four: the interleaved part of an interleaved matrix.
    var groupedRows: Int { rows & ~3 }

    /// The part of rows `0..<rows` that `thread` of `threads` multiplies: `WorkerPool.share`, in
    /// whole groups of four when interleaved.
    func share(thread: Int, threads: Int) -> Range<Int> {
        guard interleaved else { return WorkerPool.share(of: rows, thread: thread, threads: threads) }
        let groups = WorkerPool.share(of: (rows &+ 3) / 4, thread: thread, threads: threads)
        return groups.lowerBound &* 4 ..< Swift.min(groups.upperBound &* 4, rows)
    }

    /// Rows `range` (starting at a group of four when interleaved) times `tokens` activation rows
    /// in `format.activationFormat`: `Dot.tile`'s result (r, t) at `out[t·outputStride + r −
    /// range.lowerBound]`.
    func tile(_ range: Range<Int>, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
              into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        var start = range.lowerBound
        if interleaved && start < groupedRows {
            let end = Swift.min(range.upperBound, groupedRows)
            Dot.tile(format, row(start), rowBytes: rowBytes, rows: end &- start, interleaved: true, activations,
                     activationStride: activationStride, tokens: tokens, count: columns, into: out,
                     outputStride: outputStride)
            start = end
        }
        guard start < range.upperBound else { return }
        Dot.tile(format, row(start), rowBytes: rowBytes, rows: range.upperBound &- start, activations,
                 activationStride: activationStride, tokens: tokens, count: columns,
                 into: out + (start &- range.lowerBound), outputStride: outputStride)
    }
}
