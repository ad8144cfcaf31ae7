// LLVM's x86 vector intrinsics as Swift functions over the stdlib's SIMD types.
//
// This module is compiled with `-parse-stdlib`, which makes `Builtin.int_x86_*` callable
// (see ../shared/specs/swift-kernels.md §1 and §7.3b). Each function is `@_transparent`, so it
// is inlined into the caller and compiled for the caller's target CPU (Haswell, AVX2, at least).
// The AVX-512 ones are in `SIMDIntrinsicsVNNI`. Plain `@inline(__always)` is not honoured
// across this boundary.
import Swift

#if arch(x86_64)

/// x86 SIMD instructions the quantized kernels need and that LLVM does not pattern-match
/// from ordinary Swift.
public enum X86 {
    /// `vpmaddubsw` (AVX2): lane k = u[2k]·s[2k] + u[2k+1]·s[2k+1] as Int16, *saturating*.
    @_transparent
    public static func maddubs(_ u: SIMD32<UInt8>, _ s: SIMD32<Int8>) -> SIMD16<Int16> {
        var r = SIMD16<Int16>()
        r._storage._value = Builtin.int_x86_avx2_pmadd_ub_sw(u._storage._value, s._storage._value)
        return r
    }

    /// `vpmaddwd` (AVX2): lane k = a[2k]·b[2k] + a[2k+1]·b[2k+1] as Int32.
    @_transparent
    public static func madd(_ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
        var r = SIMD8<Int32>()
        r._storage._value = Builtin.int_x86_avx2_pmadd_wd(a._storage._value, b._storage._value)
        return r
    }

    /// `vpackssdw` (AVX2): within each 128-bit half, `a`'s four Int32 lanes then `b`'s, narrowed
    /// to Int16 with saturation.
    @_transparent
    public static func packs(_ a: SIMD8<Int32>, _ b: SIMD8<Int32>) -> SIMD16<Int16> {
        var r = SIMD16<Int16>()
        r._storage._value = Builtin.int_x86_avx2_packssdw(a._storage._value, b._storage._value)
        return r
    }

    /// `vpsignb` (AVX2): `a` negated where `b` < 0, zero where `b` == 0, else `a`.
    @_transparent
    public static func sign(_ a: SIMD32<Int8>, _ b: SIMD32<Int8>) -> SIMD32<Int8> {
        var r = SIMD32<Int8>()
        r._storage._value = Builtin.int_x86_avx2_psign_b(a._storage._value, b._storage._value)
        return r
    }

    /// `pause`: tells the core this is a spin-wait loop (saves power, frees the sibling
    /// hyperthread, avoids a memory-order flush when the awaited store lands).
    @_transparent
    public static func pause() {
        Builtin.int_x86_sse2_pause()
    }

    /// `vpshufb` (AVX2): within each 16-byte half, byte k = table[index[k] & 15], or 0 when
    /// index[k] has its top bit set.
    @_transparent
    public static func shuffleBytes(_ table: SIMD32<UInt8>, _ index: SIMD32<UInt8>) -> SIMD32<UInt8> {
        var r = SIMD32<UInt8>()
        r._storage._value = Builtin.int_x86_avx2_pshuf_b(table._storage._value, index._storage._value)
        return r
    }
}

#endif

/// Bit k of `bits` as byte k: 0xFF where set, 0 where clear. LLVM lowers this to `kmovd` +
/// `vpmovm2b` with AVX-512 BW and to a broadcast, shuffle, or and compare with AVX2.
@_transparent
public func bytesFromBits(_ bits: UInt32) -> SIMD32<UInt8> {
    let mask: Builtin.Vec32xInt1 = Builtin.bitcast_Int32_Vec32xInt1(bits._value)
    var r = SIMD32<UInt8>()
    r._storage._value = Builtin.sext_Vec32xInt1_Vec32xInt8(mask)
    return r
}
