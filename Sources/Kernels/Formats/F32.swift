/// F32: plain IEEE single floats, 4 bytes per weight. Activations pair with it unquantized.
enum F32: DotFormat {
    typealias Activation = F32
    static let weightsPerBlock = 1
    static let bytesPerBlock = 4
    static var fields: [BlockField] { [BlockField("value", 4)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count &* 4)
    }

    /// Σ w·x with four 16-lane FMA accumulators (swift-kernels.md §7.2).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = a0, a2 = a0, a3 = a0
        let bytes = count &* 4
        var off = 0
        while off &+ 256 <= bytes {
            a0 = a0.addingProduct(weights.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self),
                                  activations.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self))
            a1 = a1.addingProduct(weights.loadUnaligned(fromByteOffset: off &+ 64, as: SIMD16<Float>.self),
                                  activations.loadUnaligned(fromByteOffset: off &+ 64, as: SIMD16<Float>.self))
            a2 = a2.addingProduct(weights.loadUnaligned(fromByteOffset: off &+ 128, as: SIMD16<Float>.self),
                                  activations.loadUnaligned(fromByteOffset: off &+ 128, as: SIMD16<Float>.self))
            a3 = a3.addingProduct(weights.loadUnaligned(fromByteOffset: off &+ 192, as: SIMD16<Float>.self),
                                  activations.loadUnaligned(fromByteOffset: off &+ 192, as: SIMD16<Float>.self))
            off &+= 256
        }
        while off &+ 64 <= bytes {
            a0 = a0.addingProduct(weights.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self),
                                  activations.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self))
            off &+= 64
        }
        var sum = ((a0 + a1) + (a2 + a3)).total
        while off < bytes {
            sum += weights.loadUnaligned(fromByteOffset: off, as: Float.self)
                * activations.loadUnaligned(fromByteOffset: off, as: Float.self)
            off &+= 4
        }
        return sum
    }
}
