/// Quantizing float activations before a quantized dot product (ggml's `from_float`).
public enum Quantize {
    /// How Q8_0 and Q8_1 pick their scale and round (Q8_K has one way on every platform).
    public enum Style: Sendable {
        /// ggml's reference quantizers (`quantize_row_q8_0_ref`…): `id = 1/(max/127)`,
        /// ties away from zero. What quantizing weights into a file uses.
        case reference
        /// llama.cpp's x86 run-time activation quantizer (AVX2 `quantize_row_q8_0`/`_q8_1`):
        /// `id = 127/max`, ties to even. Using it for activations keeps our products
        /// bit-identical to llama.cpp's on the same hardware.
        case x86Runtime
    }

    /// Quantizes `count` floats (a multiple of `format.blockSize`) into `format`, writing
    /// `format.rowBytes(count)` bytes at `dst`.
    ///
    /// Only the activation formats are supported: `.q8_0`, `.q8_1` and `.q8_K`, plus `.f32` as a
    /// plain copy (any other format is a programming error). With `.reference` the results equal
    /// ggml's `quantize_row_q8_0_ref`, `quantize_row_q8_1_ref` and `quantize_row_q8_K_ref` bit for bit.
    /// With `interleaved` (`.q8_K` only), each block's quants come in the order an interleaved
    /// K-quant matrix needs (`WeightMatrix.interleavesActivations`).
    public static func row(_ x: UnsafePointer<Float>, count: Int, to format: WeightFormat, _ dst: UnsafeMutableRawPointer,
                           style: Style = .reference, interleaved: Bool = false) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled { AVX512.quantize(x, count: count, to: format, dst, style: style, interleaved: interleaved); return }
        #endif
        precondition(count % format.blockSize == 0, "\(format): \(count) values is not a multiple of the block size")
        precondition(!interleaved || format == .q8_K, "only Q8_K activations are interleaved")
        switch format {
        case .q8_0: Q8_0.quantize(x, dst, count: count, style: style)
        case .q8_1: Q8_1.quantize(x, dst, count: count, style: style)
        case .q8_K:
            Q8K.quantize(x, dst, count: count)
            if interleaved { Q8K.interleaveSubBlocks(dst, count: count) }
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: x, byteCount: count &* 4)
        default: preconditionFailure("Quantize.row: \(format) is not an activation format")
        }
    }
}
