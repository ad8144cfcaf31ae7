/// The tensor storage formats Kinglet reads from GGUF files; raw values are ggml type ids.
///
/// Block layouts and formulas follow llama.cpp's `ggml-common.h` and `ggml-quants.c`; each format's
/// own file under `Formats/` documents its layout. `q8_1` and `q8_K` exist only as activation formats
/// (what `Quantize.row` produces before `Dot.dot`).
public enum WeightFormat: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9,
         q2_K = 10, q3_K = 11, q4_K = 12, q5_K = 13, q6_K = 14, q8_K = 15, bf16 = 30

    /// Weights per block (1 for the float formats).
    public var blockSize: Int {
        switch self {
        case .f32: F32.weightsPerBlock
        case .f16: F16.weightsPerBlock
        case .bf16: BF16.weightsPerBlock
        case .q4_0: Q4_0.weightsPerBlock
        case .q4_1: Q4_1.weightsPerBlock
        case .q5_0: Q5_0.weightsPerBlock
        case .q5_1: Q5_1.weightsPerBlock
        case .q8_0: Q8_0.weightsPerBlock
        case .q8_1: Q8_1.weightsPerBlock
        case .q2_K: Q2K.weightsPerBlock
        case .q3_K: Q3K.weightsPerBlock
        case .q4_K: Q4K.weightsPerBlock
        case .q5_K: Q5K.weightsPerBlock
        case .q6_K: Q6K.weightsPerBlock
        case .q8_K: Q8K.weightsPerBlock
        }
    }

    /// Bytes per block.
    public var bytesPerBlock: Int {
        switch self {
        case .f32: F32.bytesPerBlock
        case .f16: F16.bytesPerBlock
        case .bf16: BF16.bytesPerBlock
        case .q4_0: Q4_0.bytesPerBlock
        case .q4_1: Q4_1.bytesPerBlock
        case .q5_0: Q5_0.bytesPerBlock
        case .q5_1: Q5_1.bytesPerBlock
        case .q8_0: Q8_0.bytesPerBlock
        case .q8_1: Q8_1.bytesPerBlock
        case .q2_K: Q2K.bytesPerBlock
        case .q3_K: Q3K.bytesPerBlock
        case .q4_K: Q4K.bytesPerBlock
        case .q5_K: Q5K.bytesPerBlock
        case .q6_K: Q6K.bytesPerBlock
        case .q8_K: Q8K.bytesPerBlock
        }
    }

    /// Bytes taken by `count` weights; `count` must be a multiple of `blockSize`.
    public func rowBytes(_ count: Int) -> Int {
        precondition(count % blockSize == 0, "\(self): \(count) weights is not a multiple of the block size \(blockSize)")
        return count / blockSize * bytesPerBlock
    }

    /// The format activations are quantized to before `Dot.dot` (ggml's `vec_dot_type`):
    /// q8_0 for q4_0/q5_0/q8_0; q8_1 for q4_1/q5_1; q8_K for q2_K…q6_K; f32 for f32/f16/bf16.
    /// The activation formats pair with themselves.
    public var activationFormat: WeightFormat {
        switch self {
        case .f32, .f16, .bf16: .f32
        case .q4_0, .q5_0, .q8_0: .q8_0
        case .q4_1, .q5_1, .q8_1: .q8_1
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K: .q8_K
        }
    }

    /// The ggml type name (`"q4_K"`, `"bf16"`, …), for messages.
    public var name: String { "\(self)" }

    /// The per-format type that holds the layout and the kernels: the one place a format becomes code.
    var block: any DotFormat.Type {
        switch self {
        case .f32: F32.self
        case .f16: F16.self
        case .bf16: BF16.self
        case .q4_0: Q4_0.self
        case .q4_1: Q4_1.self
        case .q5_0: Q5_0.self
        case .q5_1: Q5_1.self
        case .q8_0: Q8_0.self
        case .q8_1: Q8_1.self
        case .q2_K: Q2K.self
        case .q3_K: Q3K.self
        case .q4_K: Q4K.self
        case .q5_K: Q5K.self
        case .q6_K: Q6K.self
        case .q8_K: Q8K.self
        }
    }
}
