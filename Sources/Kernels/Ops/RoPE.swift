#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embedding, as ggml's `rope_ext` computes it without
/// context extension (`ext_factor = 0`, `freq_scale = 1`).
public struct RoPE: @unchecked Sendable {
    // @unchecked Sendable: `frequencyFactors` points into read-only model weights.
    /// Which elements form a rotated pair.
    public enum Style: Sendable {
        /// `(x[2i], x[2i+1])`: Llama GGUFs (their q/k rows were permuted at conversion).
        case interleaved
        /// `(x[i], x[i + dims/2])`: GPT-NeoX, Qwen, Gemma.
        case neox
    }

    public let style: Style
    /// Number of leading elements of each head that rotate (the rest pass through).
    public let dimensions: Int
    public let base: Float
    /// Optional per-pair divisors of the frequency (Llama 3's `rope_freqs`), `dimensions/2` values.
    public let frequencyFactors: UnsafePointer<Float>?

    public init(style: Style, dimensions: Int, base: Float, frequencyFactors: UnsafePointer<Float>? = nil) {
        self.style = style
        self.dimensions = dimensions
        self.base = base
        self.frequencyFactors = frequencyFactors
    }

    /// Rotates `heads` consecutive heads of `headDimension` values at `x`, all at `position`.
    public func apply(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int, position: Int) {
        let pairs = dimensions / 2
        // ggml builds theta by repeated multiplication in Float; doing the same
        // keeps our angles bit-identical to the reference engine's.
        let thetaScale = powf(base, -2 / Float(dimensions))
        var theta = Float(position)
        for i in 0..<pairs {
            let angle = frequencyFactors.map { theta / $0[i] } ?? theta
            let c = cosf(angle), s = sinf(angle)
            for h in 0..<heads {
                let head = x + h &* headDimension
                let (a, b) = style == .neox ? (i, i &+ pairs) : (2 &* i, 2 &* i &+ 1)
                let x0 = head[a], x1 = head[b]
                head[a] = x0 * c - x1 * s
                head[b] = x0 * s + x1 * c
            }
            theta *= thetaScale
        }
    }
}
