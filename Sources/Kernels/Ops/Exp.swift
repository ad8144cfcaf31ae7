extension Lanes {
    /// eˣ in every lane, computed as ggml's `ggml_v_expf` does (Arm's optimized-routines
    /// algorithm: at most 1.95 ulp from the true value, overflow to +∞ above ~88.38, flush to 0
    /// below ~−103.97), so softmax and SiLU round as llama.cpp's vector code does.
    ///
    /// x = n·ln2 + b with n = round(x·log2 e); eˣ = 2ⁿ·(1 + j(b)) for a degree-5 polynomial j.
    @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let shifter = SIMD16<Float>(repeating: 0x1.8p23)
        let z = shifter.addingProduct(x, SIMD16(repeating: 0x1.715476p+0))
        let n = z - shifter
        let b = x.addingProduct(-n, SIMD16(repeating: 0x1.62e4p-1)).addingProduct(-n, SIMD16(repeating: 0x1.7f7d1cp-20))
        let e = unsafeBitCast(z, to: SIMD16<UInt32>.self) &<< 23
        let k = unsafeBitCast(e &+ (1 as Float).bitPattern, to: SIMD16<Float>.self)
        let u = b * b
        let p1 = SIMD16<Float>(repeating: 0x1.573e2ep-5).addingProduct(SIMD16(repeating: 0x1.0e4020p-7), b)
        let p2 = SIMD16<Float>(repeating: 0x1.fffdb6p-2).addingProduct(SIMD16(repeating: 0x1.555e66p-3), b)
        let j = (SIMD16<Float>(repeating: 0x1.ffffecp-1) * b).addingProduct(p2.addingProduct(p1, u), u)
        let magnitude = unsafeBitCast(unsafeBitCast(n, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
        let scaleOverflows = magnitude .> 126
        if !scaleOverflows.anyTrue { return k.addingProduct(k, j) }
        // 2ⁿ is not a normal float: build it as s1·s2 from two halves of the exponent.
        let g = SIMD16<UInt32>(repeating: 0).replacing(with: 0x8200_0000, where: n .<= 0)
        let s1 = unsafeBitCast(g &+ 0x7F00_0000, to: SIMD16<Float>.self)
        let s2 = unsafeBitCast(e &- g, to: SIMD16<Float>.self)
        let scaled = k.addingProduct(k, j).replacing(with: s2.addingProduct(s2, j) * s1, where: scaleOverflows)
        return scaled.replacing(with: s1 * s1, where: magnitude .> 192)
    }
}

extension SIMDMask {
    /// Whether any lane is set (the stdlib's `any(_:)`, spelled so it reads at the call site).
    @inline(__always)
    var anyTrue: Bool { any(self) }
}
