/// Expanding stored weights to floats (ggml's `to_float`).
public enum Dequantize {
    /// Expands `count` weights (a multiple of `format.blockSize`) of `format` at `src` into floats.
    ///
    /// Results match ggml's `dequantize_row_*` bit for bit (same operations in the same order).
    public static func row(_ format: WeightFormat, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        precondition(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        switch format {
        case .f32: F32.dequantize(src, dst, count: count)
        case .f16: F16.dequantize(src, dst, count: count)
        case .bf16: BF16.dequantize(src, dst, count: count)
        case .q4_0: Q4_0.dequantize(src, dst, count: count)
        case .q4_1: Q4_1.dequantize(src, dst, count: count)
        case .q5_0: Q5_0.dequantize(src, dst, count: count)
        case .q5_1: Q5_1.dequantize(src, dst, count: count)
        case .q8_0: Q8_0.dequantize(src, dst, count: count)
        case .q8_1: Q8_1.dequantize(src, dst, count: count)
        case .q2_K: Q2K.dequantize(src, dst, count: count)
        case .q3_K: Q3K.dequantize(src, dst, count: count)
        case .q4_K: Q4K.dequantize(src, dst, count: count)
        case .q5_K: Q5K.dequantize(src, dst, count: count)
        case .q6_K: Q6K.dequantize(src, dst, count: count)
        case .q8_K: Q8K.dequantize(src, dst, count: count)
        }
    }
}
