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
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled { return AVX512.dot(format, weights, activations, count: count) }
        #endif
        assert(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        return format.block.dot(weights, activations, count: count)
    }

    /// `dot` of one weight row with `tokens` activation rows `activationStride` bytes apart, result
    /// `t` written to `out[t * outputStride]`. Each result is bit-identical to `dot` on that row;
    /// formats that unpack their quants do so once for all the tokens.
    public static func dots(_ format: WeightFormat, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                            activationStride: Int, tokens: Int, count: Int,
                            into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.dots(format, weights, activations, activationStride: activationStride, tokens: tokens,
                               count: count, into: out, outputStride: outputStride)
        }
        #endif
        assert(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        format.block.dots(weights, activations, activationStride: activationStride, tokens: tokens, count: count,
                            into: out, outputStride: outputStride)
    }

    /// `dots` for `rows` weight rows `rowBytes` apart: the result of row `r` and token `t` goes to
    /// `out[t * outputStride + r]`, equal to `dot` on that pair bit for bit. Formats with a
    /// register-tiled kernel (Q4_0, Q5_0, Q8_0, Q4_K, Q5_K, Q6_K) unpack each row once for all the tokens
    /// and reuse each activation block across several rows.
    ///
    /// With `interleaved`, the rows are in their format's interleaved layout
    /// (`WeightMatrix.interleaving(into:pool:)`), with the same results: Q4_0, Q5_0 and Q8_0 rows (a
    /// multiple of four, `rowBytes` each) four at a time block by block; Q4_K, Q5_K and Q6_K rows with
    /// their super-blocks' quants reordered (`InterleavedSuperBlock`), against activations
    /// quantized with `interleaved`.
    public static func tile(_ format: WeightFormat, _ weights: UnsafeRawPointer, rowBytes: Int, rows: Int,
                            interleaved: Bool = false, _ activations: UnsafeRawPointer, activationStride: Int,
                            tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.tile(format, weights, rowBytes: rowBytes, rows: rows, interleaved: interleaved, activations,
                               activationStride: activationStride, tokens: tokens, count: count, into: out,
                               outputStride: outputStride)
        }
        #endif
        assert(count % format.blockSize == 0, "\(format): \(count) weights is not a multiple of the block size")
        guard interleaved else {
            return format.block.tile(weights, rowBytes: rowBytes, rows: rows, activations,
                                     activationStride: activationStride, tokens: tokens, count: count, into: out,
                                     outputStride: outputStride)
        }
        if let block = format.interleavedBlock {
            return block.tile(weights, rowBytes: rowBytes, rows: rows, activations,
                                       activationStride: activationStride, tokens: tokens, count: count, into: out,
                                       outputStride: outputStride)
        }
        guard let block = format.block as? any SignedBlockFormat.Type else {
            preconditionFailure("\(format) rows are never interleaved")
        }
        block.interleavedTile(weights, rowBytes: rowBytes, rows: rows, activations, activationStride: activationStride,
                              tokens: tokens, count: count, into: out, outputStride: outputStride)
    }
}
