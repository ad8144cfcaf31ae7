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
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled { AVX512.rmsNorm(x, weight: weight, y, count: count, rows: rows, epsilon: epsilon); return }
        #endif
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

    /// `gate[i] = silu(gate[i]) · up[i]`: the SwiGLU activation, with silu(g) = g / (1 + e⁻ᵍ)
    /// computed 16 at a time with `Lanes.exp`, as ggml's `ggml_vec_swiglu_f32` does.
    public static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled { AVX512.swiGLU(gate, up, count: count); return }
        #endif
        let g = UnsafeMutableRawPointer(gate), u = UnsafeRawPointer(up)
        var i = 0
        while i &+ 16 <= count {
            let x = g.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let silu = x / (1 + Lanes.exp(-x))
            g.storeBytes(of: silu * u.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self),
                         toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            let x = gate[i]
            gate[i] = x / (1 + expf(-x)) * up[i]
            i &+= 1
        }
    }

    /// `x[i] = silu(x[i]) = x[i] / (1 + e^-x[i])`, in place, with the exponential of `swiGLU`.
    public static func silu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(x)
        var i = 0
        while i &+ 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: v / (1 + Lanes.exp(-v)), toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            x[i] = x[i] / (1 + expf(-x[i]))
            i &+= 1
        }
    }

    /// `x[i] *= factor` for `count` values.
    public static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        for i in 0..<count { x[i] *= factor }
    }

    /// `gate[i] = gelu(gate[i]) · up[i]`: the GeGLU activation (Gemma), as ggml's CPU
    /// `geglu` computes it: GELU is read from a table indexed by the input rounded to
    /// Float16 (ggml builds with `GGML_GELU_FP16`), and is exact outside ±10.
    public static func geGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        geluTable.withUnsafeBufferPointer { table in
            for i in 0..<count {
                let g = gate[i]
                if g <= -10 {
                    gate[i] = 0
                } else if g >= 10 {
                    gate[i] = g * up[i]
                } else {
                    gate[i] = Float(table[Int(Float16(g).bitPattern)]) * up[i]
                }
            }
        }
    }

    /// GELU with the tanh approximation, written as ggml's `ggml_gelu_f32`:
    /// `0.5·x·(1 + tanh(√(2/π)·x·(1 + 0.044715·x²)))`.
    public static func geluTanh(_ x: Float) -> Float {
        let a: Float = 0.044715, sqrtTwoOverPi: Float = 0.79788456080286535587989211986876
        let inner = sqrtTwoOverPi * x * (1 + a * x * x)
        return 0.5 * x * (1 + tanhf(inner))
    }

    /// `geluTanh` of every Float16 value, rounded to Float16, indexed by bit pattern
    /// (ggml's `ggml_table_gelu_f16`, 128 KB).
    static let geluTable: [Float16] = (0..<(1 << 16)).map { bits in
        Float16(geluTanh(Float(Float16(bitPattern: UInt16(bits)))))
    }

    /// In-place softmax of `count` values, as ggml's `ggml_vec_soft_max_f32`: exponentials 16 at a
    /// time with `Lanes.exp` (the tail with `expf`), each group's Float sum added to a Double.
    /// With `roundingToHalf` the results are rounded to Float16 (what attention over a Float16
    /// cache multiplies the values by).
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int, roundingToHalf: Bool = false) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled { AVX512.softmax(x, count: count, roundingToHalf: roundingToHalf); return }
        #endif
        let raw = UnsafeMutableRawPointer(x)
        @inline(__always) func load(_ i: Int) -> SIMD16<Float> {
            raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
        }
        @inline(__always) func store(_ v: SIMD16<Float>, _ i: Int) {
            raw.storeBytes(of: v, toByteOffset: i &* 4, as: SIMD16<Float>.self)
        }
        let wide = count & ~15
        var maximum = -Float.infinity
        if wide > 0 {
            var m = SIMD16<Float>(repeating: -.infinity)
            for i in stride(from: 0, to: wide, by: 16) {
                let v = load(i)
                m = m.replacing(with: v, where: v .> m)   // `vmaxps`; `pointwiseMax` is lane by lane
            }
            maximum = m.max()
        }
        for i in wide..<count { maximum = max(maximum, x[i]) }
        var sum: Double = 0
        for i in stride(from: 0, to: wide, by: 16) {
            let e = Lanes.exp(load(i) - maximum)
            store(e, i)
            sum += Double(e.total)   // ggml's order: each group's Float total added to a Double
        }
        for i in wide..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += Double(e)
        }
        let scale = Float(1 / sum)
        for i in stride(from: 0, to: wide, by: 16) {
            let v = load(i) * scale
            store(roundingToHalf ? Lanes.roundedToHalf(v) : v, i)
        }
        for i in wide..<count { x[i] = roundingToHalf ? Float(Float16(x[i] * scale)) : x[i] * scale }
    }
}
