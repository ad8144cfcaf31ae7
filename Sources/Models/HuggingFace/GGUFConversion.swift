import GGUF
import Kernels

/// Writes a Hugging Face checkpoint as a GGUF file llama.cpp reads, with the project's own
/// `GGUFWriter`: the checkpoint's GGUF metadata and names, matrices in the chosen type, vectors
/// and norms in F32, and the rows llama.cpp's converter reorders reordered the same way
/// (Llama's q/k rows interleaved for its RoPE, Qwen3.5's value heads tiled over key heads).
///
/// The file carries no vocabulary (`tokenizer.ggml.model` is `"none"`, sized by
/// `<arch>.vocab_size`): it is for running token ids, or for pairing with the checkpoint's
/// own tokenizer.
///
/// ```swift
/// let checkpoint = try HuggingFaceCheckpoint(directory: "SmolLM2-135M")
/// try GGUFConversion.write(checkpoint, to: "smollm2-135m-q8_0.gguf", type: .q8_0)
/// ```
public enum GGUFConversion {
    /// The type matrices are stored in; vectors, norm weights and `ssm_conv1d` stay F32.
    public enum MatrixType: Sendable, CaseIterable {
        case f32, f16, q8_0

        var ggml: GGMLType {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .q8_0: .q8_0
            }
        }

        /// `general.file_type` (llama.cpp's `LLAMA_FTYPE_ALL_F32`, `_MOSTLY_F16`, `_MOSTLY_Q8_0`).
        var fileType: UInt32 {
            switch self {
            case .f32: 0
            case .f16: 1
            case .q8_0: 7
            }
        }
    }

    /// Writes `source` to `path` atomically (a temporary file renamed into place), one tensor
    /// in memory at a time.
    ///
    /// - Throws: `ModelError.file(.writeFailed)` with the system's reason, leaving no file at
    ///   `path`; `.invalidHyperparameter` if the metadata cannot size a reordering.
    public static func write(_ source: HuggingFaceCheckpoint, to path: String, type: MatrixType) throws(ModelError) {
        let writer = try writer(for: source, type: type)
        do { try writer.write(to: path) } catch { throw .file(error) }
    }

    /// The GGUF image of `source` as a writer whose tensor data is made when it is written.
    public static func writer(for source: HuggingFaceCheckpoint, type: MatrixType) throws(ModelError) -> GGUFWriter {
        var writer = GGUFWriter()
        for key in source.metadata.keys { writer.set(key, source.metadata[key]!) }
        writer.set("general.file_type", .uint32(type.fileType))
        writer.set("general.quantization_version", .uint32(2))   // GGML_QNT_VERSION
        writer.set("tokenizer.ggml.model", .string("none"))
        let reorder = try Reordering(source.metadata)
        for name in source.tensorNames {
            guard let tensor = source.weight(named: name) else { continue }
            let target = storageType(name, tensor, type)
            let order = reorder.order(for: name, tensor)
            do {
                try writer.addTensor(name: name, type: target, dimensions: tensor.dimensions,
                                     byteCount: target.byteCount(elements: tensor.elementCount) ?? 0) {
                    encode(source.weight(named: name)!, as: target, order)
                }
            } catch {
                throw .file(error)
            }
        }
        return writer
    }

    /// F32 for vectors and norms (and DeltaNet's conv kernel), as `prepare_tensors` and the
    /// Qwen3.5 spec (§10.2) keep them; Q8_0 falls back to F16 for rows that are not whole blocks.
    private static func storageType(_ name: String, _ tensor: TensorView, _ type: MatrixType) -> GGMLType {
        if tensor.dimensions.count == 1 || name.hasSuffix("_norm.weight") || name.hasSuffix("ssm_conv1d.weight") {
            return .f32
        }
        if type == .q8_0 && tensor.dimensions[0] % GGMLType.q8_0.blockSize != 0 { return .f16 }
        return type.ggml
    }

    /// The tensor's bytes in `type`, its rows (elements, for a vector) and columns taken in `order`.
    private static func encode(_ tensor: TensorView, as type: GGMLType, _ order: Reordering.Order) -> [UInt8] {
        // A vector is rows of one element, so one loop reorders both.
        let columns = tensor.dimensions.count == 1 ? 1 : tensor.dimensions[0]
        let rows = tensor.elementCount / columns
        let format = WeightFormat(rawValue: tensor.type.rawValue)!   // F32, F16 or BF16: checked at load
        let inputRowBytes = format.rowBytes(columns)
        let outputRowBytes = type.byteCount(elements: columns)!
        var output = [UInt8](repeating: 0, count: rows * outputRowBytes)
        var row = [Float](repeating: 0, count: columns), reordered = row
        output.withUnsafeMutableBytes { output in
            for r in 0..<rows {
                let from = order.rows?[r] ?? r
                Dequantize.row(format, tensor.bytes.baseAddress! + from * inputRowBytes, &row, count: columns)
                if let columnOrder = order.columns {
                    for c in 0..<columns { reordered[c] = row[columnOrder[c]] }
                    swap(&row, &reordered)
                }
                let destination = output.baseAddress! + r * outputRowBytes
                switch type {
                case .f16:
                    for c in 0..<columns { destination.storeBytes(of: Float16(row[c]).bitPattern.littleEndian, toByteOffset: 2 * c, as: UInt16.self) }
                case .q8_0:
                    Quantize.row(row, count: columns, to: .q8_0, destination, style: .reference)
                default:
                    for c in 0..<columns { destination.storeBytes(of: row[c].bitPattern.littleEndian, toByteOffset: 4 * c, as: UInt32.self) }
                }
            }
        }
        return output
    }
}

/// The reorderings llama.cpp's converter applies that a `.huggingFace` checkpoint has not.
struct Reordering {
    /// For each output row (or column), the checkpoint row (or column) it takes; nil keeps the order.
    struct Order {
        var rows: [Int]?
        var columns: [Int]?
    }

    private let architecture: String
    private let heads: Int, kvHeads: Int
    /// Qwen3.5 DeltaNet: key heads, value heads, key and value head sizes.
    private let keyHeads: Int, valueHeads: Int, keyHeadSize: Int, valueHeadSize: Int

    init(_ metadata: GGUFMetadata) throws(ModelError) {
        do throws(GGUFError) {
            architecture = try metadata.string("general.architecture")
            let arch = architecture
            heads = try metadata.optionalInteger("\(arch).attention.head_count") ?? 0
            kvHeads = try metadata.optionalInteger("\(arch).attention.head_count_kv") ?? heads
            keyHeads = try metadata.optionalInteger("\(arch).ssm.group_count") ?? 0
            valueHeads = try metadata.optionalInteger("\(arch).ssm.time_step_rank") ?? 0
            keyHeadSize = try metadata.optionalInteger("\(arch).ssm.state_size") ?? 0
            let inner = try metadata.optionalInteger("\(arch).ssm.inner_size") ?? 0
            valueHeadSize = valueHeads > 0 ? inner / valueHeads : 0
        } catch {
            throw .file(error)
        }
        if architecture == "qwen35", keyHeads <= 0 || valueHeads % keyHeads != 0 {
            throw .invalidHyperparameter("qwen35.ssm.time_step_rank", "value heads must be a multiple of the key heads")
        }
    }

    func order(for name: String, _ tensor: TensorView) -> Order {
        let rows = tensor.dimensions.count == 1 ? tensor.elementCount : tensor.elementCount / tensor.dimensions[0]
        let role = name.split(separator: ".").dropFirst(2).first.map(String.init) ?? ""
        switch (architecture, role) {
        case ("llama", "attn_q"), ("smollm3", "attn_q"): return Order(rows: Self.ropePairs(rows: rows, heads: heads))
        case ("llama", "attn_k"), ("smollm3", "attn_k"): return Order(rows: Self.ropePairs(rows: rows, heads: kvHeads))
        case ("qwen35", _) where valueHeads != keyHeads:
            let v = valueHeadSize, ck = keyHeads * keyHeadSize
            switch role {
            case "attn_qkv" where rows == 2 * ck + valueHeads * v, "ssm_conv1d":
                return Order(rows: Array(0..<2 * ck) + tiled(blockSize: v).map { 2 * ck + $0 })
            case "attn_gate": return Order(rows: tiled(blockSize: v))
            case "ssm_alpha", "ssm_beta", "ssm_a", "ssm_dt": return Order(rows: tiled(blockSize: 1))
            case "ssm_out": return Order(columns: tiled(blockSize: v))
            default: return Order()
            }
        default:
            return Order()
        }
    }

    /// `LlamaModel.permute`: each head's rows `[first half | second half]` become interleaved
    /// pairs `(x[i], x[i + half])` → rows `2i, 2i+1`, so RoPE can rotate adjacent elements.
    private static func ropePairs(rows: Int, heads: Int) -> [Int]? {
        guard heads > 0, rows % (2 * heads) == 0 else { return nil }
        let size = rows / heads, half = size / 2
        return (0..<rows).map { r in
            let head = r / size, i = r % size
            return head * size + (i % 2) * half + i / 2
        }
    }

    /// `_reorder_v_heads` (`conversion/qwen.py`): GGUF value head `j·Hk + kh` is checkpoint head
    /// `kh·r + j`, each a block of `blockSize` rows kept in order.
    private func tiled(blockSize: Int) -> [Int] {
        let perKey = valueHeads / keyHeads
        return (0..<valueHeads * blockSize).map { index in
            let position = index / blockSize, j = position / keyHeads, kh = position % keyHeads
            return (kh * perKey + j) * blockSize + index % blockSize
        }
    }
}
