/// A K-quant whose super-block (256 weights) is unpacked into registers once and then dotted
/// with one or several tokens' Q8_K blocks: Q4_K and Q6_K, the K-quants of the common
/// `Q4_K_M` files.
protocol RegisterSuperBlock: DotFormat where Activation == Q8K {
    /// A super-block's quants and scales, ready for `accumulate`.
    associatedtype Unpacked
    static func registers(_ block: UnsafeRawPointer) -> Unpacked
    /// Adds the super-block's product with one token's Q8_K block `y` to `acc` and `offsets`
    /// (the min/offset terms, kept apart as llama.cpp does), whose lanes add up to the row's dot
    /// product.
    static func accumulate(_ block: Unpacked, _ y: UnsafeRawPointer, into acc: inout SIMD8<Float>,
                           offsets: inout SIMD8<Float>)
}

extension RegisterSuperBlock {
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var acc = SIMD8<Float>(), offsets = acc
        for b in 0..<(count / 256) {
            accumulate(registers(weights + b &* bytesPerBlock), activations + b &* 292, into: &acc, offsets: &offsets)
        }
        return acc.total + offsets.total
    }

    /// Four tokens at a time share each unpacked super-block; every token still runs `dot`'s
    /// arithmetic in `dot`'s order, so the results are equal bit for bit.
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        let s = activationStride
        var t = 0
        while t &+ 4 <= tokens {
            let a = activations + t &* s
            var acc0 = SIMD8<Float>(), acc1 = acc0, acc2 = acc0, acc3 = acc0
            var off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0
            for b in 0..<(count / 256) {
                let block = registers(weights + b &* bytesPerBlock)
                let y = a + b &* 292
                accumulate(block, y, into: &acc0, offsets: &off0)
                accumulate(block, y + s, into: &acc1, offsets: &off1)
                accumulate(block, y + 2 &* s, into: &acc2, offsets: &off2)
                accumulate(block, y + 3 &* s, into: &acc3, offsets: &off3)
            }
            out[t &* outputStride] = acc0.total + off0.total
            out[(t &+ 1) &* outputStride] = acc1.total + off1.total
            out[(t &+ 2) &* outputStride] = acc2.total + off2.total
            out[(t &+ 3) &* outputStride] = acc3.total + off3.total
            t &+= 4
        }
        while t < tokens {
            out[t &* outputStride] = dot(weights, activations + t &* s, count: count)
            t &+= 1
        }
    }
}

/// A super-block's 256 unsigned quants in eight runs of 32, each with the Int16 scales of its
/// sixteen pair lanes (what `ByteDot.scaledLanes` takes).
struct ScaledRuns {
    var q0, q1, q2, q3, q4, q5, q6, q7: SIMD32<UInt8>
    var s0, s1, s2, s3, s4, s5, s6, s7: SIMD16<Int16>

    /// Σ scale·q·y over the runs as eight Int32 lanes, `y` being a Q8_K block's 256 quants.
    @inline(__always)
    func sums(_ y: UnsafeRawPointer) -> SIMD8<Int32> {
        @inline(__always) func q8(_ run: Int) -> SIMD32<Int8> {
            y.loadUnaligned(fromByteOffset: 32 &* run, as: SIMD32<Int8>.self)
        }
        // Four independent integer chains (exact, so the order is free): one long chain of
        // dependent `vpdpwssd`s would wait on each one's latency.
        var i0 = ByteDot.scaledLanes(SIMD8(), q0, q8(0), s0)
        var i1 = ByteDot.scaledLanes(SIMD8(), q1, q8(1), s1)
        var i2 = ByteDot.scaledLanes(SIMD8(), q2, q8(2), s2)
        var i3 = ByteDot.scaledLanes(SIMD8(), q3, q8(3), s3)
        i0 = ByteDot.scaledLanes(i0, q4, q8(4), s4)
        i1 = ByteDot.scaledLanes(i1, q5, q8(5), s5)
        i2 = ByteDot.scaledLanes(i2, q6, q8(6), s6)
        i3 = ByteDot.scaledLanes(i3, q7, q8(7), s7)
        return (i0 &+ i1) &+ (i2 &+ i3)
    }
}
