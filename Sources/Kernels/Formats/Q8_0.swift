/// Q8_0: 32 weights per block, w = d·q.
///
///     offset  0  fp16 d       scale
///     offset  2  int8 qs[32]  quants
///
/// 34 bytes (8.5 bits per weight). Also the activation format for Q4_0, Q5_0 and Q8_0.
enum Q8_0: SignedBlockFormat, ActivationFormat {
    typealias Activation = Q8_0
    static let weightsPerBlock = 32
    static let bytesPerBlock = 34
    static var fields: [BlockField] { [BlockField("d", 2), BlockField("qs", 32)] }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 32) {
            let block = src + b &* 34
            let d = loadHalf(block, 0)
            let q = (block + 2).assumingMemoryBound(to: Int8.self)
            let y = dst + b &* 32
            for l in 0..<32 {
                y[l] = Float(q[l]) * d
            }
        }
    }

    /// `quantize_row_q8_0_ref`: d = max|x|/127, q = roundf(x/d) (half away from zero).
    static func quantize(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int,
                         style: Quantize.Style) {
        for b in 0..<(count / 32) {
            let xb = x + b &* 32
            let block = dst + b &* 34
            var amax: Float = 0
            for l in 0..<32 {
                let v = abs(xb[l])
                amax = amax > v ? amax : v
            }
            let d = amax / 127
            let id = style.inverseScale(amax: amax, d: d)
            block.storeBytes(of: Float16(d).bitPattern, as: UInt16.self)
            for l in 0..<32 {
                block.storeBytes(of: saturatingInt8(style.round(xb[l] * id)), toByteOffset: 2 &+ l, as: Int8.self)
            }
        }
    }

    @inline(__always)
    static func quants(_ block: UnsafeRawPointer) -> SIMD32<Int8> {
        block.loadUnaligned(fromByteOffset: 2, as: SIMD32<Int8>.self)
    }

    static var quantOffset: UInt8 { 0 }

    /// Q8_0 stores signed quants: never called (`quantOffset` is 0).
    static func unsignedQuants(_ block: UnsafeRawPointer) -> SIMD32<UInt8> {
        preconditionFailure("Q8_0 quants are signed")
    }
}
