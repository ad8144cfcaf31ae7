#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ops {
    /// RMSNorm of each of `rows` rows of `count` values: `y = x / sqrt(mean(x²) + eps) · weight`.
    ///
    /// The sum of squares is taken in Double and the scale applied before the
    /// weight, as ggml's `rms_norm` followed by `mul` does.
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
        count: Int, rows: Int = 1, epsilon: Float
    ) {
        for r in 0..<rows {
            let xr = x + r &* count, yr = y + r &* count
            var sum: Double = 0
            for i in 0..<count { sum += Double(xr[i] * xr[i]) }
            // As ggml: the mean narrows to Float before epsilon and `sqrtf`. One ulp here moves
            // activations across Q8 rounding boundaries downstream, so the order matters.
            let scale = 1 / (Float(sum / Double(count)) + epsilon).squareRoot()
            for i in 0..<count { yr[i] = (xr[i] * scale) * weight[i] }
        }
    }

    /// `x[i] += y[i]` for `count` values.
    @inlinable
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// Adds `bias` (`count` values) to each of `rows` rows.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, count: Int, rows: Int) {
        for r in 0..<rows { add(x + r &* count, bias, count: count) }
    }

    /// `gate[i] = silu(gate[i]) · up[i]`: the SwiGLU activation.
    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// In-place softmax of `count` values; the sum is taken in Double as ggml does.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        var sum: Double = 0
        for i in 0..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += Double(e)
        }
        let scale = Float(1 / sum)
        for i in 0..<count { x[i] *= scale }
    }
}
