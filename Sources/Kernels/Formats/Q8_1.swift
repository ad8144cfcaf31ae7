/// Q8_1: 32 weights per block, w = d·q, plus s = d·Σq for the offset term of Q4_1/Q5_1.
///
///     offset  0  fp16 d       scale
///     offset  2  fp16 s       d · Σ qs (from the quants, not the original floats)
///     offset  4  int8 qs[32]  quants
///
/// 36 bytes. An activation format only (ggml's `block_q8_1`; gguf-py still lists the retired
/// 40-byte float layout). Its `dot` pairs two Q8_1 rows, which ggml does not define; it ignores s.
enum Q8_1: DotFormat, ActivationFormat {
    typealias Activation = Q8_1
    static let weightsPerBlock = 32
    static let bytesPerBlock = 36
    static var fields: [BlockField] { [BlockField("d", 2), BlockField("s", 2), BlockField("qs", 32)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 36
            let d = loadHalf(block, 0)
            let q = (block + 4).assumingMemoryBound(to: Int8.self)
            let y = dst + b &* 32
            for l in 0..<32 {
                y[l] = Float(q[l]) * d
            }
        }
    }

    /// `quantize_row_q8_1_ref`: as Q8_0, plus s = fp16(d · Σq).
    static func quantize(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int,
                         style: Quantize.Style) {
        for b in 0..<(count / 32) {
            let xb = x + b &* 32
            let block = dst + b &* 36
            var amax: Float = 0
            for l in 0..<32 {
                let v = abs(xb[l])
                amax = amax > v ? amax : v
            }
            let d = amax / 127
            let id = style.inverseScale(amax: amax, d: d)
            var sum: Int32 = 0
            for l in 0..<32 {
                let q = saturatingInt8(style.round(xb[l] * id))
                block.storeBytes(of: q, toByteOffset: 4 &+ l, as: Int8.self)
                sum &+= Int32(q)
            }
            block.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
            block.storeBytes(of: Float16(Float(sum) * d).bitPattern, toByteOffset: 2, as: UInt16.self)
        }
    }

    /// Σ_b d_w·d_a·Σ q_w·q_a.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let nb = count / 32
        var acc = SIMD8<Float>()
        var b = 0
        while b &+ 8 <= nb {
            let w = weights + b &* 36, a = activations + b &* 36
            var sums = SIMD8<Int32>()
            for k in 0..<8 {
                sums[k] = IntDot.s8x32(w + (k &* 36 &+ 4), a + (k &* 36 &+ 4))
            }
            let scales = loadHalves8(w, offset: 0, stride: 36) * loadHalves8(a, offset: 0, stride: 36)
            acc = acc.addingProduct(Lanes.floats(sums), scales)
            b &+= 8
        }
        var sum = acc.total
        while b < nb {
            let w = weights + b &* 36, a = activations + b &* 36
            sum += Float(IntDot.s8x32(w + 4, a + 4)) * (loadHalf(w, 0) * loadHalf(a, 0))
            b &+= 1
        }
        return sum
    }
}
