/// A read-only view of a row-major weight matrix stored in a block format,
/// usually pointing into a memory-mapped model file (never copied).
///
/// Row `r` holds `columns` weights in `format`, `rowBytes` bytes long; `y = W·x`
/// produces one output per row (ggml's `ne[1]` rows of `ne[0]` elements).
public struct WeightMatrix: @unchecked Sendable {
    // @unchecked Sendable: the pointer is into read-only memory (a PROT_READ
    // mapping or a buffer that outlives the model) that no one writes.
    public let base: UnsafeRawPointer
    public let format: WeightFormat
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int

    public init(base: UnsafeRawPointer, format: WeightFormat, rows: Int, columns: Int) {
        self.base = base
        self.format = format
        self.rows = rows
        self.columns = columns
        self.rowBytes = format.rowBytes(columns)
    }

    /// Start of row `r`.
    @inlinable
    public func row(_ r: Int) -> UnsafeRawPointer { base + r &* rowBytes }

    /// Rows `range` as a matrix of their own, viewing the same bytes: how a fused projection
    /// (Phi-3's `attn_qkv`, `ffn_up` holding gate and up) is split without a copy.
    public func rows(_ range: Range<Int>) -> WeightMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "rows \(range) of a \(rows)-row matrix")
        return WeightMatrix(base: row(range.lowerBound), format: format, rows: range.count, columns: columns)
    }

    /// Bytes of the whole matrix.
    public var byteCount: Int { rows &* rowBytes }

    /// Writes row `r` as floats into `dst` (`columns` values): an embedding lookup.
    public func dequantizeRow(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        Dequantize.row(format, row(r), dst, count: columns)
    }
}
