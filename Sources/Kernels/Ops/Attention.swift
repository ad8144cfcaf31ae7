extension Ops {
    /// Causal attention of one query head over a sequence's cached keys and values.
    ///
    /// Keys and values are cached as Float16 (llama.cpp's default cache type) and,
    /// as in ggml's non-flash path, the query and the softmax weights are rounded to
    /// Float16 before their products.
    ///
    /// - Parameters:
    ///   - query: `headDimension` floats.
    ///   - keys, values: row `j` (`j < length`) starts at `keys + j * rowStride`.
    ///   - scores: scratch for `length` floats.
    ///   - output: `headDimension` floats.
    public static func attend(
        query: UnsafePointer<Float>,
        keys: UnsafePointer<Float16>, values: UnsafePointer<Float16>, rowStride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.attend(query: query, keys: keys, values: values, rowStride: rowStride, length: length,
                                 headDimension: headDimension, scale: scale, scores: scores, output: output)
        }
        #endif
        let wide = headDimension & ~15   // dimensions handled 16 at a time; the rest one by one
        withUnsafeTemporaryAllocation(of: Float.self, capacity: headDimension) { buffer in
            let q = buffer.baseAddress!
            for d in 0..<headDimension { q[d] = Float(Float16(query[d])) }
            let qRaw = UnsafeRawPointer(q)
            @inline(__always) func key(_ j: Int, _ d: Int) -> SIMD16<Float> {
                Lanes.widen(UnsafeRawPointer(keys + j &* rowStride + d).loadUnaligned(as: SIMD16<Float16>.self))
            }
            @inline(__always) func tail(_ j: Int) -> Float {
                var dot: Float = 0
                for d in wide..<headDimension { dot += q[d] * Float(keys[j &* rowStride &+ d]) }
                return dot
            }
            // Four keys at a time, so each slice of the query is loaded once for all four.
            var j = 0
            while j &+ 4 <= length {
                var a0 = SIMD16<Float>(), a1 = a0, a2 = a0, a3 = a0
                var d = 0
                while d < wide {
                    let qv = qRaw.loadUnaligned(fromByteOffset: d &* 4, as: SIMD16<Float>.self)
                    a0 = a0.addingProduct(qv, key(j, d))
                    a1 = a1.addingProduct(qv, key(j &+ 1, d))
                    a2 = a2.addingProduct(qv, key(j &+ 2, d))
                    a3 = a3.addingProduct(qv, key(j &+ 3, d))
                    d &+= 16
                }
                scores[j] = (a0.total + tail(j)) * scale
                scores[j &+ 1] = (a1.total + tail(j &+ 1)) * scale
                scores[j &+ 2] = (a2.total + tail(j &+ 2)) * scale
                scores[j &+ 3] = (a3.total + tail(j &+ 3)) * scale
                j &+= 4
            }
            while j < length {
                var acc = SIMD16<Float>()
                var d = 0
                while d < wide {
                    acc = acc.addingProduct(qRaw.loadUnaligned(fromByteOffset: d &* 4, as: SIMD16<Float>.self), key(j, d))
                    d &+= 16
                }
                scores[j] = (acc.total + tail(j)) * scale
                j &+= 1
            }
        }
        softmax(scores, count: length)
        // The weights are rounded to Float16 before they meet the values.
        for j in 0..<length { scores[j] = Float(Float16(scores[j])) }
        // Sixty-four output dimensions at a time stay in registers while every value row passes.
        @inline(__always) func value(_ j: Int, _ d: Int) -> SIMD16<Float> {
            Lanes.widen(UnsafeRawPointer(values + j &* rowStride + d).loadUnaligned(as: SIMD16<Float16>.self))
        }
        let out = UnsafeMutableRawPointer(output)
        var d = 0
        while d &+ 64 <= wide {
            var o0 = SIMD16<Float>(), o1 = o0, o2 = o0, o3 = o0
            for j in 0..<length {
                let p = SIMD16<Float>(repeating: scores[j])
                o0 = o0.addingProduct(p, value(j, d))
                o1 = o1.addingProduct(p, value(j, d &+ 16))
                o2 = o2.addingProduct(p, value(j, d &+ 32))
                o3 = o3.addingProduct(p, value(j, d &+ 48))
            }
            out.storeBytes(of: o0, toByteOffset: d &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: o1, toByteOffset: (d &+ 16) &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: o2, toByteOffset: (d &+ 32) &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: o3, toByteOffset: (d &+ 48) &* 4, as: SIMD16<Float>.self)
            d &+= 64
        }
        while d < wide {
            var o = SIMD16<Float>()
            for j in 0..<length { o = o.addingProduct(SIMD16(repeating: scores[j]), value(j, d)) }
            out.storeBytes(of: o, toByteOffset: d &* 4, as: SIMD16<Float>.self)
            d &+= 16
        }
        while d < headDimension {
            var o: Float = 0
            for j in 0..<length { o += scores[j] * Float(values[j &* rowStride &+ d]) }
            output[d] = o
            d &+= 1
        }
    }
}
