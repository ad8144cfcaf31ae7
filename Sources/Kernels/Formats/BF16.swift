/// BF16: the upper 16 bits of an IEEE single, 2 bytes per weight. Activations stay f32.
enum BF16: DotFormat {
    typealias Activation = F32
    static let weightsPerBlock = 1
    static let bytesPerBlock = 2
    static var fields: [BlockField] { [BlockField("value", 2)] }

    /// Sixteen bf16 values widened to floats: each 16-bit pattern becomes the top half of a 32-bit one.
    @inline(__always)
    static func load16(_ p: UnsafeRawPointer, _ offset: Int) -> SIMD16<Float> {
        let h = p.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt16>.self)
        return unsafeBitCast(Lanes.widen(h) &<< 16, to: SIMD16<Float>.self)
    }

    @inline(__always)
    static func load1(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) &<< 16)
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: load16(src, i &* 2), as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < count {
            dst[i] = load1(src, i &* 2)
            i &+= 1
        }
    }

    /// Σ w·x with two FMA accumulators.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var a0 = SIMD16<Float>(), a1 = a0
        var i = 0
        while i &+ 32 <= count {
            a0 = a0.addingProduct(load16(weights, i &* 2),
                                  activations.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self))
            a1 = a1.addingProduct(load16(weights, i &* 2 &+ 32),
                                  activations.loadUnaligned(fromByteOffset: i &* 4 &+ 64, as: SIMD16<Float>.self))
            i &+= 32
        }
        var sum = (a0 + a1).total
        while i < count {
            sum += load1(weights, i &* 2) * activations.loadUnaligned(fromByteOffset: i &* 4, as: Float.self)
            i &+= 1
        }
        return sum
    }
}
