/// Q8_K: 256 weights per block, w = d·q, with the sums of each 16 quants precomputed.
///
///     offset   0  f32   d          scale
///     offset   4  int8  qs[256]    quants
///     offset 260  int16 bsums[16]  Σ qs over each run of 16 (the K-quant kernels' min/offset terms)
///
/// 292 bytes. The activation format for Q2_K…Q6_K; its `dot` pairs two Q8_K rows, which ggml
/// does not define.
enum Q8K: DotFormat, ActivationFormat {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 292
    static var fields: [BlockField] { [BlockField("d", 4), BlockField("qs", 256), BlockField("bsums", 32)] }
    /// Where `qs` starts.
    static let quantsOffset = 4
    /// Where `bsums` starts.
    static let bsumsOffset = 260

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        for b in 0..<(count / 256) {
            let block = src + b &* 292
            let d = block.loadUnaligned(as: Float.self)
            let q = (block + 4).assumingMemoryBound(to: Int8.self)
            let y = dst + b &* 256
            for l in 0..<256 {
                y[l] = d * Float(q[l])
            }
        }
    }

    /// ggml's `nearest_int`: round half to even via the 1.5·2²³ trick (valid for |v| < 2²²).
    @inline(__always)
    static func nearestInt(_ v: Float) -> Int32 {
        Int32(bitPattern: (v + 12_582_912).bitPattern & 0x007F_FFFF) &- 0x0040_0000
    }

    /// `quantize_row_q8_K_ref`: scale from the value of largest magnitude (first one on ties),
    /// q = min(127, nearest_int(−127/max · x)), d = 1/iscale. An all-zero block stores d = 0 and
    /// zero quants and sums (ggml leaves its sums unset there).
    /// x86 llama.cpp uses this same reference routine at run time, so `style` changes nothing.
    static func quantize(_ x: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int,
                         style: Quantize.Style = .reference) {
        for b in 0..<(count / 256) {
            let xb = x + b &* 256
            let block = dst + b &* 292
            var amax: Float = 0, max: Float = 0
            for j in 0..<256 {
                let ax = abs(xb[j])
                if ax > amax {
                    amax = ax
                    max = xb[j]
                }
            }
            guard amax != 0 else {
                block.initializeMemory(as: UInt8.self, repeating: 0, count: 292)
                continue
            }
            let iscale = -127 / max
            for j in 0..<256 {
                let v = Swift.min(127, nearestInt(iscale * xb[j]))
                block.storeBytes(of: Int8(truncatingIfNeeded: v), toByteOffset: 4 &+ j, as: Int8.self)
            }
            let q = (block + 4).assumingMemoryBound(to: Int8.self)
            for g in 0..<16 {
                var sum: Int32 = 0
                for l in 0..<16 {
                    sum &+= Int32(q[16 &* g &+ l])
                }
                block.storeBytes(of: Int16(truncatingIfNeeded: sum), toByteOffset: 260 &+ 2 &* g, as: Int16.self)
            }
            block.storeBytes(of: 1 / iscale, as: Float.self)
        }
    }

    /// Reorders the quants of the `count / 256` blocks at `blocks` into the order of `InterleavedSuperBlock`s:
    /// quant 32t + 4i + k becomes y[32i + 4t + k] (a transpose of 8 × 8 groups of four, so doing it
    /// twice restores the order). Scale and bsums stay.
    static func interleaveSubBlocks(_ blocks: UnsafeMutableRawPointer, count: Int) {
        for b in 0..<(count / 256) {
            let q = blocks + (b &* 292 &+ quantsOffset)
            // The transpose goes through a stack copy (64 groups of four bytes).
            var copy = (SIMD16<UInt64>(), SIMD16<UInt64>())
            withUnsafeMutableBytes(of: &copy) { t in
                for i in 0..<8 {
                    for s in 0..<8 {
                        t.storeBytes(of: q.loadUnaligned(fromByteOffset: 32 &* i &+ 4 &* s, as: UInt32.self),
                                     toByteOffset: 32 &* s &+ 4 &* i, as: UInt32.self)
                    }
                }
                q.copyMemory(from: t.baseAddress!, byteCount: 256)
            }
        }
    }

    /// Σ_b d_w·d_a·Σ q_w·q_a.
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for b in 0..<(count / 256) {
            let w = weights + b &* 292, a = activations + b &* 292
            var s = SIMD8<Int32>()
            for k in 0..<8 {
                s[k] = IntDot.s8x32(w + (4 &+ 32 &* k), a + (4 &+ 32 &* k))
            }
            sum += (w.loadUnaligned(as: Float.self) * a.loadUnaligned(as: Float.self)) * Float(s.wrappedSum())
        }
        return sum
    }
}
