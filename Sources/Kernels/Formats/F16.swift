/// F16: IEEE half floats, 2 bytes per weight. Activations stay f32 (ggml converts them to f16
/// first; widening the weights instead is exact and keeps the activations' precision).
enum F16: DotFormat {
    typealias Activation = F32
    static let weightsPerBlock = 1
    static let bytesPerBlock = 2
    static var fields: [BlockField] { [BlockField("value", 2)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count {
            let h = src.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<Float16>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: Lanes.widen(h), as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            dst[i] = loadHalf(src, i &* 2)
            i &+= 1
        }
    }

    /// Σ w·x: sixteen weights widened per `vcvtph2ps`, two FMA accumulators.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = a0
        var i = 0
        while i &+ 32 <= count {
            let w0 = Lanes.widen(weights.loadUnaligned(fromByteOffset: i &* 2, as: SIMD16<Float16>.self))
            let w1 = Lanes.widen(weights.loadUnaligned(fromByteOffset: i &* 2 &+ 32, as: SIMD16<Float16>.self))
            a0 = a0.addingProduct(w0, activations.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self))
            a1 = a1.addingProduct(w1, activations.loadUnaligned(fromByteOffset: i &* 4 &+ 64, as: SIMD16<Float>.self))
            i &+= 32
        }
        var sum = (a0 + a1).total
        while i < count {
            sum += loadHalf(weights, i &* 2) * activations.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
            i &+= 1
        }
        return sum
    }
}
