import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a model's hyperparameters and tensors come from.
///
/// A GGUF file is one. A Hugging Face checkpoint directory is another, presented under
/// GGUF's tensor names and metadata keys (as llama.cpp's converter would write them), so
/// every architecture reads both through one set of names.
public protocol WeightSource: AnyObject, Sendable {
    /// Hyperparameters under GGUF keys (`general.architecture`, `<arch>.block_count`, …).
    var metadata: GGUFMetadata { get }
    /// Which conventions the tensors follow where the two formats differ.
    var layout: TensorLayout { get }
    /// The tensor named `name` (GGUF naming: `blk.0.attn_q.weight`), viewed in place, or nil.
    func weight(named name: String) -> TensorView?
    /// Every tensor's name.
    var tensorNames: [String] { get }
    /// Says that `tensor`'s bytes have been copied and will not be read again, so a mapped file
    /// may drop its pages from the process's resident memory (reading them later stays valid).
    func release(_ tensor: TensorView)
}

extension WeightSource {
    /// Nothing to drop by default (a checkpoint converted into memory must keep its bytes).
    public func release(_ tensor: TensorView) {}

    /// The number of weights in all tensors.
    public var parameterCount: Int {
        tensorNames.reduce(0) { $0 + (weight(named: $1)?.elementCount ?? 0) }
    }

    /// The bytes all tensors take where they are stored (mapped, not copied).
    public var weightBytes: Int {
        tensorNames.reduce(0) { $0 + (weight(named: $1)?.bytes.count ?? 0) }
    }
}

/// The places where GGUF files and Hugging Face checkpoints store the same model differently.
public enum TensorLayout: Sendable {
    /// As llama.cpp's converter writes them: Llama's q/k rows permuted so RoPE rotates adjacent
    /// pairs; Qwen3.5 value heads tiled over key heads.
    case gguf
    /// As `transformers` stores them: Llama's q/k rows in rotate-half order; Qwen3.5 value heads
    /// grouped by key head.
    case huggingFace
}

/// One tensor of a `WeightSource`: its shape, element type and bytes, valid while the source lives.
public struct TensorView {
    public var name: String
    /// Sizes in GGUF (ggml) order: `dimensions[0]` is the contiguous row length.
    public var dimensions: [Int]
    public var type: GGMLType
    public var bytes: UnsafeRawBufferPointer

    public init(name: String, dimensions: [Int], type: GGMLType, bytes: UnsafeRawBufferPointer) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.bytes = bytes
    }

    /// The number of elements: the product of `dimensions`.
    public var elementCount: Int { dimensions.reduce(1, *) }
}

extension GGUFFile: WeightSource {
    public var layout: TensorLayout { .gguf }
    public var tensorNames: [String] { tensors.map(\.name) }

    public func weight(named name: String) -> TensorView? {
        guard let info = tensor(named: name) else { return nil }
        return TensorView(name: info.name, dimensions: info.dimensions, type: info.type, bytes: bytes(of: info))
    }

    /// Drops the mapped pages that lie wholly inside the tensor from this process (`MADV_DONTNEED`
    /// on a read-only file mapping: the page cache keeps them, and a later read maps them again).
    public func release(_ tensor: TensorView) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0, let start = tensor.bytes.baseAddress else { return }
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + tensor.bytes.count) / page * page
        guard end > first, let address = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(address, end - first, Int32(MADV_DONTNEED))
    }
}
