/// Q4_1: 32 weights per block, w = d·q + m with 4-bit q.
///
///     offset  0  fp16 d       scale
///     offset  2  fp16 m       minimum
///     offset  4  u8   qs[16]  weight j in the low nibble of qs[j], weight j+16 in the high nibble
///
/// 20 bytes (5 bits per weight). Dots with Q8_1 activations.
enum Q4_1: DotFormat {
    typealias Activation = Q8_1
    static let weightsPerBlock = 32
    static let bytesPerBlock = 20
    static var fields: [BlockField] { [BlockField("d", 2), BlockField("m", 2), BlockField("qs", 16)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 20
            let d = loadHalf(block, 0), m = loadHalf(block, 2)
            let qs = (block + 4).assumingMemoryBound(to: UInt8.self)
            let y = dst + b &* 32
            for j in 0..<16 {
                y[j] = Float(qs[j] & 0xF) * d + m
                y[j &+ 16] = Float(qs[j] >> 4) * d + m
            }
        }
    }

    /// Σ q·y for one block, nibbles straight from memory (one `vpdpbusd`).
    @inline(__always)
    static func blockSum(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Int32 {
        let qs = (block + 4).assumingMemoryBound(to: UInt8.self), yp = y.assumingMemoryBound(to: Int8.self)
        var s: Int32 = 0
        for l in 0..<32 {
            let q = l < 16 ? qs[l] & 0xF : qs[l &- 16] >> 4
            s &+= Int32(q) &* Int32(yp[l])
        }
        return s
    }

    /// `ggml_vec_dot_q4_1_q8_1`: Σ_b (d_w·d_a·Σ q·y + m_w·s_a).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        let nb = count / 32
        var acc = SIMD8<Float>(), mins = SIMD8<Float>()
        var b = 0
        while b &+ 8 <= nb {
            let w = weights + b &* 20, a = activations + b &* 36
            var sums = SIMD8<Int32>()
            for k in 0..<8 {
                sums[k] = blockSum(w + k &* 20, a + (k &* 36 &+ 4))
            }
            let scales = loadHalves8(w, offset: 0, stride: 20) * loadHalves8(a, offset: 0, stride: 36)
            acc = acc.addingProduct(Lanes.floats(sums), scales)
            mins = mins.addingProduct(loadHalves8(w, offset: 2, stride: 20), loadHalves8(a, offset: 2, stride: 36))
            b &+= 8
        }
        var sum = (acc + mins).total
        while b < nb {
            let w = weights + b &* 20, a = activations + b &* 36
            sum += (loadHalf(w, 0) * loadHalf(a, 0)) * Float(blockSum(w, a + 4)) + loadHalf(w, 2) * loadHalf(a, 2)
            b &+= 1
        }
        return sum
    }
}
