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
}
