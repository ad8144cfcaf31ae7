/// A ggml tensor element type, with ggml's numeric id as the raw value.
///
/// Covers every type current ggml (and gguf-py 0.19) knows, so any real file's tensor
/// table parses even when no kernel exists for a type. Ids 4, 5, 31–33 and 36–38 were
/// removed from ggml and are rejected as unknown. Sizes follow `GGML_QUANT_SIZES` in
/// gguf-py's `constants.py` (the mirror of `type_traits` in ggml.c).
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39
    case nvfp4 = 40
    case q1_0 = 41

    /// The type's name as gguf-py and llama.cpp's tools print it: "F32", "Q4_K", "IQ2_XXS".
    public var name: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q5_0: "Q5_0"
        case .q5_1: "Q5_1"
        case .q8_0: "Q8_0"
        case .q8_1: "Q8_1"
        case .q2_K: "Q2_K"
        case .q3_K: "Q3_K"
        case .q4_K: "Q4_K"
        case .q5_K: "Q5_K"
        case .q6_K: "Q6_K"
        case .q8_K: "Q8_K"
        case .iq2_xxs: "IQ2_XXS"
        case .iq2_xs: "IQ2_XS"
        case .iq3_xxs: "IQ3_XXS"
        case .iq1_s: "IQ1_S"
        case .iq4_nl: "IQ4_NL"
        case .iq3_s: "IQ3_S"
        case .iq2_s: "IQ2_S"
        case .iq4_xs: "IQ4_XS"
        case .i8: "I8"
        case .i16: "I16"
        case .i32: "I32"
        case .i64: "I64"
        case .f64: "F64"
        case .iq1_m: "IQ1_M"
        case .bf16: "BF16"
        case .tq1_0: "TQ1_0"
        case .tq2_0: "TQ2_0"
        case .mxfp4: "MXFP4"
        case .nvfp4: "NVFP4"
        case .q1_0: "Q1_0"
        }
    }

    /// Weights per block: 1 for plain types, 32 for the legacy quants, 256 for k-quants.
    public var blockSize: Int { layout.blockSize }

    /// Bytes per block (ggml's `type_size`), e.g. 144 for Q4_K, 210 for Q6_K.
    public var bytesPerBlock: Int { layout.bytesPerBlock }

    /// The number of bytes `elements` weights of this type occupy.
    ///
    /// - Returns: nil when `elements` is negative, not a multiple of `blockSize`, or the
    ///   size overflows `Int`.
    public func byteCount(elements: Int) -> Int? {
        let (blockSize, bytesPerBlock) = layout
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: bytesPerBlock)
        return overflow ? nil : bytes
    }

    // QK_K = 256; the sums spell out each block struct as gguf-py's table does.
    private var layout: (blockSize: Int, bytesPerBlock: Int) {
        switch self {
        case .f32: (1, 4)
        case .f16: (1, 2)
        case .q4_0: (32, 2 + 16)
        case .q4_1: (32, 2 + 2 + 16)
        case .q5_0: (32, 2 + 4 + 16)
        case .q5_1: (32, 2 + 2 + 4 + 16)
        case .q8_0: (32, 2 + 32)
        case .q8_1: (32, 4 + 4 + 32)
        case .q2_K: (256, 2 + 2 + 256 / 16 + 256 / 4)
        case .q3_K: (256, 2 + 256 / 4 + 256 / 8 + 12)
        case .q4_K: (256, 2 + 2 + 256 / 2 + 12)
        case .q5_K: (256, 2 + 2 + 256 / 2 + 256 / 8 + 12)
        case .q6_K: (256, 2 + 256 / 2 + 256 / 4 + 256 / 16)
        case .q8_K: (256, 4 + 256 + 256 / 8)
        case .iq2_xxs: (256, 2 + 256 / 4)
        case .iq2_xs: (256, 2 + 256 / 4 + 256 / 32)
        case .iq3_xxs: (256, 2 + 256 / 4 + 256 / 8)
        case .iq1_s: (256, 2 + 256 / 8 + 256 / 16)
        case .iq4_nl: (32, 2 + 16)
        case .iq3_s: (256, 2 + 256 / 4 + 256 / 8 + 256 / 32 + 4)
        case .iq2_s: (256, 2 + 256 / 4 + 256 / 16)
        case .iq4_xs: (256, 2 + 2 + 256 / 2 + 256 / 64)
        case .i8: (1, 1)
        case .i16: (1, 2)
        case .i32: (1, 4)
        case .i64: (1, 8)
        case .f64: (1, 8)
        case .iq1_m: (256, 256 / 8 + 256 / 16 + 256 / 32)
        case .bf16: (1, 2)
        case .tq1_0: (256, 2 + 4 * 13)
        case .tq2_0: (256, 2 + 64)
        case .mxfp4: (32, 1 + 16)
        case .nvfp4: (64, 4 + 32)
        case .q1_0: (128, 2 + 16)
        }
    }
}
