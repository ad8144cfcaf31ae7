/// A K-quant as a model keeps it in memory (`WeightMatrix.interleaving(into:pool:)`): its file
/// super-blocks, the same size, with the quants reordered so that each 32-bit lane of a byte dot
/// adds up weights of one scale group. Run t (t < 8, 32 quants) of a super-block holds, in lane i,
/// weights 32i + 4t … 32i + 4t + 3; its activations are Q8_K blocks in the same order
/// (`Q8K.interleaveSubBlocks`, bsums in their order).
///
/// In file order each run is one group or two, whose Int32 lanes all need the same scale, so the
/// decode dot packs lanes to Int16 and shuffles the scales onto them
/// (`ScaledRuns.sums(_:groupScales:)`). Interleaved, eight `vpdpbusd`s leave one group per lane
/// and one or two `vpmulld`s scale them: about 12 instructions fewer per super-block. The integer
/// totals are the file format's, so every result is too, bit for bit.
protocol InterleavedSuperBlock: RegisterSuperBlock {
    /// Writes `count` weights of the file format's super-blocks from `source` to `destination` in
    /// this layout.
    static func interleave(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int)
}

extension InterleavedSuperBlock {
    /// Each token's `dot`: unpacking takes two to five instructions a run here, little to share.
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        for t in 0..<tokens {
            out[t &* outputStride] = dot(weights, activations + t &* activationStride, count: count)
        }
    }

    /// Run t of the activation block at `y`.
    @inline(__always)
    static func activationRun(_ y: UnsafeRawPointer, _ t: Int) -> SIMD32<Int8> {
        y.loadUnaligned(fromByteOffset: Q8K.quantsOffset &+ 32 &* t, as: SIMD32<Int8>.self)
    }
}

extension WeightFormat {
    /// The in-memory layout of this format's interleaved matrices, for the K-quants that have one.
    var interleavedBlock: (any InterleavedSuperBlock.Type)? {
        switch self {
        case .q4_K: Q4KInterleaved.self
        case .q5_K: Q5KInterleaved.self
        case .q6_K: Q6KInterleaved.self
        default: nil
        }
    }
}
