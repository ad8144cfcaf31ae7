/// Dot products of one weight row with one activation row (ggml's `vec_dot`).
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
        return switch format {
        case .f32: F32.dot(weights, activations, count: count)
        case .f16: F16.dot(weights, activations, count: count)
        case .bf16: BF16.dot(weights, activations, count: count)
        case .q4_0: Q4_0.dot(weights, activations, count: count)
        case .q4_1: Q4_1.dot(weights, activations, count: count)
        case .q5_0: Q5_0.dot(weights, activations, count: count)
        case .q5_1: Q5_1.dot(weights, activations, count: count)
        case .q8_0: Q8_0.dot(weights, activations, count: count)
        case .q8_1: Q8_1.dot(weights, activations, count: count)
        case .q2_K: Q2K.dot(weights, activations, count: count)
        case .q3_K: Q3K.dot(weights, activations, count: count)
        case .q4_K: Q4K.dot(weights, activations, count: count)
        case .q5_K: Q5K.dot(weights, activations, count: count)
        case .q6_K: Q6K.dot(weights, activations, count: count)
        case .q8_K: Q8K.dot(weights, activations, count: count)
        }
    }
}
