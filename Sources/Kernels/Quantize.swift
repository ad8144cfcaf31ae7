/// Quantizing float activations before a quantized dot product (ggml's `from_float`).
public enum Quantize {
    /// Quantizes `count` floats (a multiple of `format.blockSize`) into `format`, writing
    /// `format.rowBytes(count)` bytes at `dst`.
    ///
    /// Only the activation formats are supported: `.q8_0`, `.q8_1` and `.q8_K` (any other format is a
    /// programming error). The results equal ggml's `quantize_row_q8_0_ref`, `quantize_row_q8_1_ref`
    /// and `quantize_row_q8_K_ref` bit for bit. llama.cpp's x86 build quantizes Q8_0/Q8_1 activations
    /// with an AVX variant that rounds halves to even and scales by 127/max instead of 1/(max/127),
    /// so a quant can differ by one from llama.cpp's *runtime* values in rare ties.
    public static func row(_ x: UnsafePointer<Float>, count: Int, to format: WeightFormat, _ dst: UnsafeMutableRawPointer) {
        precondition(count % format.blockSize == 0, "\(format): \(count) values is not a multiple of the block size")
        switch format {
        case .q8_0: Q8_0.quantize(x, dst, count: count)
        case .q8_1: Q8_1.quantize(x, dst, count: count)
        case .q8_K: Q8K.quantize(x, dst, count: count)
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: x, byteCount: count &* 4)
        default: preconditionFailure("Quantize.row: \(format) is not an activation format")
        }
    }
}
