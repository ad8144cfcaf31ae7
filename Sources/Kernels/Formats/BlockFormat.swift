/// What every storage format declares: its block shape, its byte layout and a dequantizer.
///
/// Each format is a caseless enum in its own file (`Q4K`, `Q8_0`, …) whose doc comment gives the
/// layout and the formula, as `ggml-common.h` does. The layout is also spelled out as `fields`,
/// which the tests add up against `bytesPerBlock` (the Swift stand-in for ggml's `static_assert`).
protocol BlockFormat {
    /// Weights per block.
    static var weightsPerBlock: Int { get }
    /// Bytes per block.
    static var bytesPerBlock: Int { get }
    /// The block's fields in storage order, with their sizes in bytes.
    static var fields: [BlockField] { get }
    /// Expands `count` weights (a multiple of `weightsPerBlock`) at `src` into floats.
    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int)
}

/// A weight format with a dot product against its activation format (ggml's `vec_dot`).
protocol DotFormat: BlockFormat {
    /// The format `dot` expects the activations in (ggml's `vec_dot_type`).
    associatedtype Activation: BlockFormat
    /// One weight row times activations already in `Activation`, `count` weights long.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float
    /// `dot` of one weight row with `tokens` activation rows `activationStride` bytes apart,
    /// result `t` to `out[t * outputStride]`, each equal to what `dot` returns for that row.
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int)
    /// `dots` for `rows` weight rows `rowBytes` apart: result (r, t) to `out[t * outputStride + r]`.
    static func tile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                     activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                     outputStride: Int)
}

extension DotFormat {
    /// One `dot` per token: for formats that gain nothing from sharing work between tokens.
    @inline(__always)
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        for t in 0..<tokens {
            out[t &* outputStride] = dot(weights, activations + t &* activationStride, count: count)
        }
    }

    /// One `dots` per row: for formats without a many-row kernel.
    @inline(__always)
    static func tile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                     activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                     outputStride: Int) {
        for r in 0..<rows {
            dots(weights + r &* rowBytes, activations, activationStride: activationStride, tokens: tokens, count: count,
                 into: out + r, outputStride: outputStride)
        }
    }
}

/// A format that float activations are quantized to (ggml's `from_float` for q8_0/q8_1/q8_K).
protocol ActivationFormat: BlockFormat {
    /// Quantizes `count` floats exactly as ggml's `quantize_row_*_ref` (or, with `.x86Runtime`,
    /// as llama.cpp's x86 build does at run time).
    static func quantize(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int, style: Quantize.Style)
}

/// One named field of a block layout.
struct BlockField: Sendable, Equatable {
    var name: String
    var bytes: Int
    init(_ name: String, _ bytes: Int) {
        self.name = name
        self.bytes = bytes
    }
}
