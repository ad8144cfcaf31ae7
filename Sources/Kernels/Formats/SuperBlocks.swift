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
