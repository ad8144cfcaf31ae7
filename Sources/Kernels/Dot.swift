/// Dot products of weight rows with activation rows (ggml's `vec_dot`).
public enum Dot {
    /// Dot product of one weight row (`format`) with activations already in
    /// `format.activationFormat` (plain floats for f32/f16/bf16), `count` weights long (a multiple of
    /// `format.blockSize`).
    ///
    /// Same math as ggml's `ggml_vec_dot_*`: integer sums per block, then the block scales. Float
    /// summation order differs, so results agree with ggml to float rounding, not bit for bit.
    /// Quantized activations must come from `Quantize.row` (int8 quants never −128).
    public static func dot(_ format: WeightFormat, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        assert(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        return format.kernels.dot(weights, activations, count: count)
    }

    /// `dot` of one weight row with `tokens` activation rows `activationStride` bytes apart, result
    /// `t` written to `out[t * outputStride]`. Each result is bit-identical to `dot` on that row;
    /// formats that unpack their quants do so once for all the tokens.
    public static func dots(_ format: WeightFormat, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                            activationStride: Int, tokens: Int, count: Int,
                            into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        assert(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        format.kernels.dots(weights, activations, activationStride: activationStride, tokens: tokens, count: count,
                            into: out, outputStride: outputStride)
    }
}

extension WeightFormat {
    /// The type holding this format's kernels: the one place a format becomes code.
    var kernels: any DotFormat.Type {
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
