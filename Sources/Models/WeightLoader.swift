import GGUF
import Kernels

/// Typed, shape-checked views of a weight source's tensors.
///
/// Matrices are zero-copy views into the mapping, except those whose decode kernel gains from an
/// interleaved layout (Q4_0, Q5_0 and Q8_0 rows four at a time, Q4_K, Q5_K and Q6_K quants within each
/// super-block; `WeightMatrix.interleaving(into:pool:)`): those are copied once, interleaved,
/// into `owned`, and the source is told it may drop the original pages. Small vectors (norm weights,
/// biases) stored as F16/BF16 are widened to Float once and kept in `owned`.
struct WeightLoader {
    let source: any WeightSource
    /// The model's threads, which share the interleaved copies.
    let pool: WorkerPool?
    let owned = OwnedBuffers()

    init(source: any WeightSource, pool: WorkerPool? = nil) {
        self.source = source
        self.pool = pool
    }

    /// The matrix `name` with `rows` outputs of `columns` inputs (GGUF dims `[columns, rows]`).
    /// `products: false` for a matrix only read a row at a time (an embedding table): it then
    /// stays in place, and only the rows used are ever paged in.
    func matrix(_ name: String, rows: Int, columns: Int, products: Bool = true) throws(ModelError) -> WeightMatrix {
        guard let info = source.weight(named: name) else { throw .missingTensor(name) }
        return try matrix(info, rows: rows, columns: columns, products: products)
    }

    func optionalMatrix(_ name: String, rows: Int, columns: Int) throws(ModelError) -> WeightMatrix? {
        guard let info = source.weight(named: name) else { return nil }
        return try matrix(info, rows: rows, columns: columns, products: true)
    }

    private func matrix(_ info: TensorView, rows: Int, columns: Int, products: Bool) throws(ModelError) -> WeightMatrix {
        let expected = [columns, rows]
        let found = info.dimensions.count == 1 ? info.dimensions + [1] : info.dimensions
        guard found == expected else { throw .tensorShape(info.name, expected: expected, found: info.dimensions) }
        guard let format = WeightFormat(rawValue: info.type.rawValue), format != .q8_1, format != .q8_K else {
            throw .unsupportedTensorType(info.name, type: info.type.name)
        }
        let matrix = WeightMatrix(base: info.bytes.baseAddress!, format: format, rows: rows, columns: columns)
        guard products && matrix.isInterleavable && rows >= 4 else { return matrix }
        // One copy however many times the tensor is asked for (tied embeddings are also the output).
        if let copy = owned.interleaved[info.name] { return copy }
        let copy = matrix.interleaving(into: owned.allocateBytes(matrix.byteCount), pool: pool)
        owned.interleaved[info.name] = copy
        source.release(info)
        return copy
    }

    /// The vector `name` of `count` floats.
    func vector(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float> {
        guard let v = try optionalVector(name, count: count) else { throw .missingTensor(name) }
        return v
    }

    func optionalVector(_ name: String, count: Int) throws(ModelError) -> UnsafePointer<Float>? {
        guard let info = source.weight(named: name) else { return nil }
        guard info.elementCount == count, info.dimensions.first == count else {
            throw .tensorShape(name, expected: [count], found: info.dimensions)
        }
        return try floats(info)
    }

    /// The small tensor `name` of GGUF dims `dimensions`, as floats (row-major, `dimensions[0]` fastest).
    func floats(_ name: String, dimensions: [Int]) throws(ModelError) -> UnsafePointer<Float> {
        guard let info = source.weight(named: name) else { throw .missingTensor(name) }
        guard info.dimensions == dimensions else { throw .tensorShape(name, expected: dimensions, found: info.dimensions) }
        return try floats(info)
    }

    private func floats(_ info: TensorView) throws(ModelError) -> UnsafePointer<Float> {
        let name = info.name, count = info.elementCount, rowLength = info.dimensions.first ?? count
        let bytes = info.bytes
        if info.type == .f32 { return bytes.baseAddress!.assumingMemoryBound(to: Float.self) }
        // Rows are whole blocks, so the rows one after the other dequantize as one long row.
        guard let format = WeightFormat(rawValue: info.type.rawValue), rowLength % format.blockSize == 0 else {
            throw .unsupportedTensorType(name, type: info.type.name)
        }
        let floats = owned.allocate(count)
        Dequantize.row(format, bytes.baseAddress!, floats, count: count)
        return UnsafePointer(floats)
    }

    /// RoPE frequency divisors (`rope_freqs`, or none) with every entry multiplied by `scale`:
    /// dividing a rotation angle by `scale` is linear RoPE scaling. `factors` itself when `scale` is 1.
    func scaled(_ factors: UnsafePointer<Float>?, by scale: Float, count: Int) -> UnsafePointer<Float>? {
        guard scale != 1 else { return factors }
        let scaled = owned.allocate(count)
        for i in 0..<count { scaled[i] = (factors?[i] ?? 1) * scale }
        return UnsafePointer(scaled)
    }
}

/// Buffers made at load time that live as long as the model: widened vectors and interleaved
/// matrices.
final class OwnedBuffers: @unchecked Sendable {
    // @unchecked Sendable: appended to only while the model loads, read-only afterwards.
    private var buffers: [UnsafeMutableRawPointer] = []
    private(set) var byteCount = 0
    /// Interleaved copies of matrices, by tensor name.
    var interleaved: [String: WeightMatrix] = [:]

    func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        allocateBytes(count * 4).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// `count` bytes, 64-byte aligned.
    func allocateBytes(_ count: Int) -> UnsafeMutableRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        buffers.append(p)
        byteCount += count
        return p
    }

    deinit { for p in buffers { p.deallocate() } }
}
