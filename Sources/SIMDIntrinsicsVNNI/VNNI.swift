// The AVX-512 VNNI intrinsics, in a module built with the AVX-512 variant's flags and imported only
// by `KernelsAVX512` (see SIMDIntrinsics/X86.swift for how these wrappers work).
import Swift
import SIMDIntrinsics

extension X86 {
    /// `vpdpbusd` (AVX-512 VNNI, 256-bit): lane k of `acc` plus Σ_{i<4} u[4k+i]·s[4k+i],
    /// unsigned bytes times signed bytes, without saturation.
    @_transparent
    public static func dpbusd(_ acc: SIMD8<Int32>, _ u: SIMD32<UInt8>, _ s: SIMD32<Int8>) -> SIMD8<Int32> {
        let a = unsafeBitCast(u, to: SIMD8<Int32>.self), b = unsafeBitCast(s, to: SIMD8<Int32>.self)
        var r = SIMD8<Int32>()
        r._storage._value = Builtin.int_x86_avx512_vpdpbusd_256(acc._storage._value, a._storage._value, b._storage._value)
        return r
    }

    /// `vpdpbusd` (AVX-512 VNNI, 512-bit): lane k of `acc` plus Σ_{i<4} u[4k+i]·s[4k+i].
    @_transparent
    public static func dpbusd(_ acc: SIMD16<Int32>, _ u: SIMD64<UInt8>, _ s: SIMD64<Int8>) -> SIMD16<Int32> {
        let a = unsafeBitCast(u, to: SIMD16<Int32>.self), b = unsafeBitCast(s, to: SIMD16<Int32>.self)
        var r = SIMD16<Int32>()
        r._storage._value = Builtin.int_x86_avx512_vpdpbusd_512(acc._storage._value, a._storage._value, b._storage._value)
        return r
    }

    /// `vpmaddubsw` (AVX-512 BW, 512-bit): lane k = u[2k]·s[2k] + u[2k+1]·s[2k+1] as Int16, saturating.
    @_transparent
    public static func maddubs(_ u: SIMD64<UInt8>, _ s: SIMD64<Int8>) -> SIMD32<Int16> {
        var r = SIMD32<Int16>()
        r._storage._value = Builtin.int_x86_avx512_pmaddubs_w_512(u._storage._value, s._storage._value)
        return r
    }

    /// `vpdpwssd` (AVX-512 VNNI, 512-bit): lane k of `acc` plus a[2k]·b[2k] + a[2k+1]·b[2k+1],
    /// without saturation.
    @_transparent
    public static func dpwssd(_ acc: SIMD16<Int32>, _ a: SIMD32<Int16>, _ b: SIMD32<Int16>) -> SIMD16<Int32> {
        let x = unsafeBitCast(a, to: SIMD16<Int32>.self), y = unsafeBitCast(b, to: SIMD16<Int32>.self)
        var r = SIMD16<Int32>()
        r._storage._value = Builtin.int_x86_avx512_vpdpwssd_512(acc._storage._value, x._storage._value, y._storage._value)
        return r
    }

    /// `vpdpwssd` (AVX-512 VNNI, 256-bit): lane k of `acc` plus a[2k]·b[2k] + a[2k+1]·b[2k+1].
    @_transparent
    public static func dpwssd(_ acc: SIMD8<Int32>, _ a: SIMD16<Int16>, _ b: SIMD16<Int16>) -> SIMD8<Int32> {
        let x = unsafeBitCast(a, to: SIMD8<Int32>.self), y = unsafeBitCast(b, to: SIMD8<Int32>.self)
        var r = SIMD8<Int32>()
        r._storage._value = Builtin.int_x86_avx512_vpdpwssd_256(acc._storage._value, x._storage._value, y._storage._value)
        return r
    }

    /// `vpmaddwd` (AVX-512 BW, 512-bit): lane k = a[2k]·b[2k] + a[2k+1]·b[2k+1] as Int32.
    @_transparent
    public static func madd(_ a: SIMD32<Int16>, _ b: SIMD32<Int16>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        r._storage._value = Builtin.int_x86_avx512_pmaddw_d_512(a._storage._value, b._storage._value)
        return r
    }
}
