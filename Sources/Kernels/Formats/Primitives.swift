import SIMDIntrinsics
#if AVX512VNNI
import SIMDIntrinsicsVNNI
#endif

// Building blocks shared by the format kernels. They are written in the shapes that
// ../shared/specs/swift-kernels.md measured to compile well under `-Xllvm -unroll-threshold=500`:
// a plain 32- or 16-element integer loop over bytes *loaded from memory* becomes one `vpdpbusd`
// plus a short horizontal add. Computing the bytes in registers first (masks, selects) defeats
// that match, so formats whose quants need more than a mask or a shift are first unpacked into
// a small stack buffer (see `Scratch`) and then dotted from there.

/// The fp16 at `p + offset`, widened to Float.
@inline(__always)
func loadHalf(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
    Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
}

/// The eight fp16 values at `p + offset + k·stride` (k = 0..<8), widened with one `vcvtph2ps`.
///
/// Converting block scales eight at a time also avoids a latency trap: LLVM loads a lone fp16
/// with `vpinsrw` into whatever register is free, often the float accumulator, which chains every
/// block onto the previous one (see swift-kernels.md §3).
///
/// The eight values are packed in two 64-bit integers first: spelled as lane inserts, LLVM
/// gathers them with masked loads and word permutes, 60 instructions where this takes 25.
@inline(__always)
func loadHalves8(_ p: UnsafeRawPointer, offset: Int, stride: Int) -> SIMD8<Float> {
    @inline(__always) func four(_ first: Int) -> UInt64 {
        var bits: UInt64 = 0
        for k in 0..<4 {
            let h = p.loadUnaligned(fromByteOffset: offset &+ (first &+ k) &* stride, as: UInt16.self)
            bits |= UInt64(h) &<< UInt64(16 &* k)
        }
        return bits
    }
    return Lanes.widen(unsafeBitCast(SIMD2<UInt64>(four(0), four(4)), to: SIMD8<Float16>.self))
}

/// Lane-wise conversions. The stdlib's generic `SIMD8<Float>(_:)`-style initializers are outlined
/// specializations (a call that returns through memory, per conversion); these per-lane loops
/// inline, and LLVM turns each into a single `vcvtph2ps`, `vcvtdq2ps` or `vpmovzxwd`.
enum Lanes {
    @inline(__always)
    static func widen(_ v: SIMD8<Float16>) -> SIMD8<Float> {
        var f = SIMD8<Float>()
        for k in 0..<8 { f[k] = Float(v[k]) }
        return f
    }

    @inline(__always)
    static func widen(_ v: SIMD16<Float16>) -> SIMD16<Float> {
        var f = SIMD16<Float>()
        for k in 0..<16 { f[k] = Float(v[k]) }
        return f
    }

    @inline(__always)
    static func widen(_ v: SIMD16<UInt16>) -> SIMD16<UInt32> {
        var w = SIMD16<UInt32>()
        for k in 0..<16 { w[k] = UInt32(v[k]) }
        return w
    }

    @inline(__always)
    static func widen(_ v: SIMD16<UInt8>) -> SIMD16<Int32> {
        var w = SIMD16<Int32>()
        for k in 0..<16 { w[k] = Int32(v[k]) }
        return w
    }

    @inline(__always)
    static func widen(_ v: SIMD16<Int8>) -> SIMD16<Int16> {
        var w = SIMD16<Int16>()
        for k in 0..<16 { w[k] = Int16(v[k]) }
        return w
    }

    @inline(__always)
    static func widen(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
        var w = SIMD16<Int32>()
        for k in 0..<16 { w[k] = Int32(v[k]) }
        return w
    }

    /// Every lane rounded to Float16 and back (`vcvtps2ph` then `vcvtph2ps`).
    @inline(__always)
    static func roundedToHalf(_ v: SIMD16<Float>) -> SIMD16<Float> {
        var f = SIMD16<Float>()
        for k in 0..<16 { f[k] = Float(Float16(v[k])) }
        return f
    }

    @inline(__always)
    static func floats(_ v: SIMD8<Int32>) -> SIMD8<Float> {
        var f = SIMD8<Float>()
        for k in 0..<8 { f[k] = Float(v[k]) }
        return f
    }

    @inline(__always)
    static func floats(_ v: SIMD16<Int32>) -> SIMD16<Float> {
        var f = SIMD16<Float>()
        for k in 0..<16 { f[k] = Float(v[k]) }
        return f
    }

    /// Halves the lanes of `x` and of `y` by adding: in each run of 2·`width` lanes, the second
    /// `width` lanes are added to the first. `x`'s results fill lanes 0..<8, `y`'s lanes 8..<16.
    /// Folding sixteen vectors pairwise at widths 8, 4, 2 and 1 leaves their sixteen totals, each
    /// fold a few shuffles and one add.
    @inline(__always)
    static func fold(_ x: SIMD16<Int32>, _ y: SIMD16<Int32>, width w: Int) -> SIMD16<Int32> {
        var first = SIMD16<Int32>(), second = first
        for k in 0..<16 {
            let j = k & 7, source = k < 8 ? x : y
            let lane = (j / w) &* 2 &* w &+ j % w
            first[k] = source[lane]
            second[k] = source[lane &+ w]
        }
        return first &+ second
    }

    /// Sums neighbouring int16 pairs: `out[k] = Int32(v[2k]) + Int32(v[2k+1])` for sixteen int16
    /// values packed as `SIMD8<Int32>`.
    @inline(__always)
    static func pairSums(_ v: SIMD8<Int32>) -> SIMD8<Int32> {
        ((v &<< 16) &>> 16) &+ (v &>> 16)
    }
}

/// A rounded float as Int8. Finite in-range values convert exactly; NaN becomes 0 and anything
/// out of range saturates, so malformed activations never trap.
@inline(__always)
func saturatingInt8(_ r: Float) -> Int8 {
    if r.isNaN { return 0 }
    return Int8(Swift.min(Swift.max(r, -128), 127))
}

/// Integer dot products over a few dozen bytes: the inner step of every quantized kernel.
enum IntDot {
    /// Σ x[l]·y[l] over 32 signed bytes.
    ///
    /// Written as llama.cpp's sign trick, |x| · (y·sign x), so LLVM emits `vpdpbusd` (u8 × s8).
    /// `y` must not hold -128: every `Quantize.row` output stays within ±127.
    @inline(__always)
    static func s8x32(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Int32 {
        let xp = x.assumingMemoryBound(to: Int8.self), yp = y.assumingMemoryBound(to: Int8.self)
        var s: Int32 = 0
        for l in 0..<32 {
            let a = xp[l], b = yp[l]
            let m = a &>> 7  // 0 or -1
            s &+= Int32(UInt8(bitPattern: (a ^ m) &- m)) &* Int32((b ^ m) &- m)
        }
        return s
    }

    /// Σ x[l]·y[l] over 32 pairs: `x` unsigned bytes, `y` signed.
    @inline(__always)
    static func u8x32(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Int32 {
        let xp = x.assumingMemoryBound(to: UInt8.self), yp = y.assumingMemoryBound(to: Int8.self)
        var s: Int32 = 0
        for l in 0..<32 {
            s &+= Int32(xp[l]) &* Int32(yp[l])
        }
        return s
    }

    /// Σ x[l]·y[l] over 16 pairs: `x` unsigned bytes, `y` signed.
    @inline(__always)
    static func u8x16(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer) -> Int32 {
        let xp = x.assumingMemoryBound(to: UInt8.self), yp = y.assumingMemoryBound(to: Int8.self)
        var s: Int32 = 0
        for l in 0..<16 {
            s &+= Int32(xp[l]) &* Int32(yp[l])
        }
        return s
    }
}

/// Lane-wise byte dot products: eight Int32 lanes, each the sum of four byte products. Unlike
/// `IntDot`, nothing is reduced across lanes, so a kernel can scale and accumulate a block's
/// result without a horizontal add. One instruction with AVX-512 VNNI (`vpdpbusd`), two with
/// AVX2 (`vpmaddubsw` + `vpmaddwd`), a loop elsewhere.
enum ByteDot {
    /// `acc` plus, in lane k, Σ_{i<4} u[4k+i]·s[4k+i].
    ///
    /// `u` must stay ≤ 128: AVX2 adds neighbouring products in saturating Int16, and
    /// 2·128·127 is the most that fits.
    @inline(__always)
    static func lanes(_ acc: SIMD8<Int32>, _ u: SIMD32<UInt8>, _ s: SIMD32<Int8>) -> SIMD8<Int32> {
        #if arch(x86_64) && AVX512VNNI
        return X86.dpbusd(acc, u, s)
        #elseif arch(x86_64)
        return acc &+ X86.madd(X86.maddubs(u, s), SIMD16(repeating: 1))
        #else
        var r = acc
        for k in 0..<8 {
            var t: Int32 = 0
            for i in 0..<4 { t &+= Int32(u[4 &* k &+ i]) &* Int32(s[4 &* k &+ i]) }
            r[k] &+= t
        }
        return r
        #endif
    }

    /// `acc` plus, in lane k, (u[4k]·s[4k] + u[4k+1]·s[4k+1])·scale[2k] +
    /// (u[4k+2]·s[4k+2] + u[4k+3]·s[4k+3])·scale[2k+1]: llama.cpp's `maddubs` then `madd`, the
    /// step of the K-quant kernels (with VNNI LLVM fuses the `madd` and the add into `vpdpwssd`).
    /// `u` must stay ≤ 128, as for `lanes`.
    @inline(__always)
    static func scaledLanes(_ acc: SIMD8<Int32>, _ u: SIMD32<UInt8>, _ s: SIMD32<Int8>,
                            _ scale: SIMD16<Int16>) -> SIMD8<Int32> {
        #if arch(x86_64) && AVX512VNNI
        return X86.dpwssd(acc, X86.maddubs(u, s), scale)
        #elseif arch(x86_64)
        return acc &+ X86.madd(X86.maddubs(u, s), scale)
        #else
        var pairs = SIMD16<Int16>()
        for k in 0..<16 { pairs[k] = Int16(u[2 &* k]) &* Int16(s[2 &* k]) &+ Int16(u[2 &* k &+ 1]) &* Int16(s[2 &* k &+ 1]) }
        return acc &+ pairProducts(pairs, scale)
        #endif
    }

    /// `scaledLanes` for two runs at once: the first 32 bytes into lanes 0..<8, the next 32 into
    /// lanes 8..<16 (one `vpmaddubsw` and one `vpdpwssd` on 512-bit registers with AVX-512 VNNI).
    @inline(__always)
    static func scaledLanes(_ acc: SIMD16<Int32>, _ u: SIMD64<UInt8>, _ s: SIMD64<Int8>,
                            _ scale: SIMD32<Int16>) -> SIMD16<Int32> {
        #if arch(x86_64) && AVX512VNNI
        return X86.dpwssd(acc, X86.maddubs(u, s), scale)
        #else
        return SIMD16(lowHalf: scaledLanes(acc.lowHalf, u.lowHalf, s.lowHalf, scale.lowHalf),
                      highHalf: scaledLanes(acc.highHalf, u.highHalf, s.highHalf, scale.highHalf))
        #endif
    }

    /// `scaledLanes` of four runs, `u` holding runs 0 and 1 and `v` runs 2 and 3 (with `s` and
    /// `t` their partner bytes), whose scales are interleaved in `scale`: word 2k belongs to
    /// `u`'s lane k, word 2k + 1 to `v`'s. The Int32 lanes are exactly those of two
    /// `scaledLanes` calls, but with AVX-512 VNNI in three multiplies instead of four: each
    /// run's four-byte sums (`vpdpbusd`) fit in Int16 when `u` and `v` stay below 64, so two
    /// runs' sums share one register, one per half of each lane, and one `vpdpwssd` scales both.
    @inline(__always)
    static func scaledLanes(_ acc: SIMD16<Int32>, _ u: SIMD64<UInt8>, _ s: SIMD64<Int8>, _ v: SIMD64<UInt8>,
                            _ t: SIMD64<Int8>, interleaved scale: SIMD32<Int16>) -> SIMD16<Int32> {
        #if arch(x86_64) && AVX512VNNI
        let low = X86.dpbusd(SIMD16(), u, s), high = X86.dpbusd(SIMD16(), v, t) &<< 16
        let both = unsafeBitCast(low, to: SIMD32<Int16>.self)
            .replacing(with: unsafeBitCast(high, to: SIMD32<Int16>.self), where: oddWords)
        return X86.dpwssd(acc, both, scale)
        #else
        var first = scale, second = scale
        for k in 0..<16 { first[2 &* k &+ 1] = scale[2 &* k]; second[2 &* k] = scale[2 &* k &+ 1] }
        return scaledLanes(scaledLanes(acc, u, s, first), v, t, second)
        #endif
    }

    /// The odd Int16 lanes of a 512-bit register: the high half of each Int32 lane.
    @inline(__always)
    static var oddWords: SIMDMask<SIMD32<Int16>.MaskStorage> {
        var m = SIMDMask<SIMD32<Int16>.MaskStorage>()
        for k in 0..<16 { m[2 &* k &+ 1] = true }
        return m
    }

    /// Word 2k of `a` and word 2k + 1 of `b`, for k < 16: two runs' scales as
    /// `scaledLanes(_:_:_:_:_:interleaved:)` takes them.
    @inline(__always)
    static func interleaved(_ a: SIMD32<Int16>, _ b: SIMD32<Int16>) -> SIMD32<Int16> {
        a.replacing(with: b, where: oddWords)
    }

    /// Lane k: a[2k]·b[2k] + a[2k+1]·b[2k+1] (`vpmaddwd`).
    @inline(__always)
    static func pairProducts(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
        #if arch(x86_64)
        return X86.madd(a, b)
        #else
        var r = SIMD8<Int32>()
        for k in 0..<8 { r[k] = Int32(a[2 &* k]) &* Int32(b[2 &* k]) &+ Int32(a[2 &* k &+ 1]) &* Int32(b[2 &* k &+ 1]) }
        return r
        #endif
    }

    /// `a` and `b` narrowed to Int16, with saturation, in `vpackssdw`'s order: within each 128-bit
    /// half, `a`'s four lanes then `b`'s.
    @inline(__always)
    static func packed(_ a: SIMD8<Int32>, _ b: SIMD8<Int32>) -> SIMD16<Int16> {
        #if arch(x86_64)
        return X86.packs(a, b)
        #else
        var r = SIMD16<Int16>()
        for k in 0..<16 {
            let source = (k & 7) < 4 ? a : b
            r[k] = Int16(clamping: source[(k >> 3) &* 4 &+ (k & 3)])
        }
        return r
        #endif
    }

    /// Within each 128-bit half of `v`, its word `word` four times, then word `word + 1` four
    /// times (one `vpshufb` on x86).
    @inline(__always)
    static func spread(_ v: SIMD16<Int16>, word: Int) -> SIMD16<Int16> {
        #if arch(x86_64)
        var index = SIMD32<UInt8>()
        for k in 0..<32 { index[k] = UInt8(truncatingIfNeeded: 2 &* (word &+ (k & 15) >> 3) &+ (k & 1)) }
        return unsafeBitCast(X86.shuffleBytes(unsafeBitCast(v, to: SIMD32<UInt8>.self), index), to: SIMD16<Int16>.self)
        #else
        var r = SIMD16<Int16>()
        for k in 0..<16 { r[k] = v[(k & 8) &+ word &+ (k & 7) >> 2] }
        return r
        #endif
    }

    /// Int16 lane `lane` of `v` copied to all 16 lanes (`vpshufb` on x86, where `v`'s eight
    /// lanes must fill both 128-bit halves alike).
    @inline(__always)
    static func broadcast(_ v: SIMD16<Int16>, lane: Int) -> SIMD16<Int16> {
        #if arch(x86_64)
        let pick = UInt16(truncatingIfNeeded: 2 &* lane) | UInt16(truncatingIfNeeded: 2 &* lane &+ 1) &<< 8
        let index = unsafeBitCast(SIMD16<UInt16>(repeating: pick), to: SIMD32<UInt8>.self)
        return unsafeBitCast(X86.shuffleBytes(unsafeBitCast(v, to: SIMD32<UInt8>.self), index), to: SIMD16<Int16>.self)
        #else
        return SIMD16(repeating: v[lane])
        #endif
    }

    /// `pairProducts` on 32 lanes (one 512-bit `vpmaddwd` with AVX-512).
    @inline(__always)
    static func pairProducts(_ a: SIMD32<Int16>, _ b: SIMD32<Int16>) -> SIMD16<Int32> {
        #if arch(x86_64) && AVX512VNNI
        return X86.madd(a, b)
        #else
        return SIMD16(lowHalf: pairProducts(a.lowHalf, b.lowHalf), highHalf: pairProducts(a.highHalf, b.highHalf))
        #endif
    }

    /// |x| as unsigned bytes (−128 gives 128).
    @inline(__always)
    static func magnitude(_ x: SIMD32<Int8>) -> SIMD32<UInt8> {
        #if arch(x86_64)
        return unsafeBitCast(X86.sign(x, x), to: SIMD32<UInt8>.self)
        #else
        var r = SIMD32<UInt8>()
        for k in 0..<32 { r[k] = x[k].magnitude }
        return r
        #endif
    }

    /// `y` with the sign of `x` applied: −y where x < 0, 0 where x = 0, y where x > 0.
    @inline(__always)
    static func applyingSign(of x: SIMD32<Int8>, to y: SIMD32<Int8>) -> SIMD32<Int8> {
        #if arch(x86_64)
        return X86.sign(y, x)
        #else
        var r = SIMD32<Int8>()
        for k in 0..<32 { r[k] = x[k] < 0 ? 0 &- y[k] : (x[k] == 0 ? 0 : y[k]) }
        return r
        #endif
    }

    /// Signed × signed: lane k gets Σ_{i<4} x[4k+i]·y[4k+i], as llama.cpp's sign trick
    /// |x|·(y·sign x). `y` must not hold −128 (no `Quantize.row` output does).
    @inline(__always)
    static func signedLanes(_ x: SIMD32<Int8>, _ y: SIMD32<Int8>) -> SIMD8<Int32> {
        lanes(SIMD8(), magnitude(x), applyingSign(of: x, to: y))
    }
}

/// Unpacked quants live in a stack buffer of this many bytes. `withUnsafeTemporaryAllocation`
/// only stays on the stack (no runtime call, no heap) up to 1 KiB with alignment ≤ 16.
enum Scratch {
    static let bytes = 1024
    static let alignment = 16

    /// Runs `body` with a buffer of `bytes` bytes on the stack.
    @inline(__always)
    static func withBuffer<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: bytes, alignment: alignment, body)
    }

    /// Runs `body` with four such buffers.
    @inline(__always)
    static func withBuffers<R>(_ body: ((UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer,
                                         UnsafeMutableRawBufferPointer, UnsafeMutableRawBufferPointer)) -> R) -> R {
        withBuffer { a in withBuffer { b in withBuffer { c in withBuffer { d in body((a, b, c, d)) } } } }
    }
}

extension UnsafeMutableRawBufferPointer {
    /// The first 64-byte aligned address in the buffer (at most 48 bytes in, for a 16-byte
    /// aligned buffer).
    @inline(__always)
    var alignedTo64: UnsafeMutableRawPointer {
        let start = UInt(bitPattern: baseAddress!)
        return UnsafeMutableRawPointer(bitPattern: (start &+ 63) & ~63)!
    }
}


extension SIMD8 where Scalar == Float {
    /// Tree sum of the lanes.
    @inline(__always)
    var total: Float {
        let a = lowHalf + highHalf
        let b = a.lowHalf + a.highHalf
        return b[0] + b[1]
    }
}

extension SIMD16 where Scalar == Float {
    /// Tree sum of the lanes.
    @inline(__always)
    var total: Float {
        (lowHalf + highHalf).total
    }

    /// `lowHalf.total` in lane 0 and `highHalf.total` in lane 8, the same additions in the same
    /// order, done for both halves at once (three shuffles and three adds instead of two
    /// separate reductions).
    @inline(__always)
    var halfTotals: SIMD16<Float> {
        let a = self + lanesSwapped(4)   // lane k < 4 of each half: v[k] + v[k + 4]
        let b = a + a.lanesSwapped(2)    // lane k < 2: a[k] + a[k + 2]
        return b + b.lanesSwapped(1)     // lane 0: b[0] + b[1]
    }
}

extension SIMD {
    /// Lane k is lane k ^ `bit` (a shuffle within each group of 2·`bit` lanes).
    @inline(__always)
    func lanesSwapped(_ bit: Int) -> Self {
        var r = self
        for k in indices { r[k] = self[k ^ bit] }
        return r
    }
}

extension Quantize.Style {
    /// The multiplier that maps a block onto -127…127.
    @inline(__always)
    func inverseScale(amax: Float, d: Float) -> Float {
        switch self {
        case .reference: return d != 0 ? 1 / d : 0
        case .x86Runtime: return amax != 0 ? 127 / amax : 0
        }
    }

    @inline(__always)
    func round(_ v: Float) -> Float {
        switch self {
        case .reference: return v.rounded(.toNearestOrAwayFromZero)
        case .x86Runtime: return v.rounded(.toNearestOrEven)
        }
    }
}
