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
            for j in 0..<length {
                let k = keys + j &* rowStride
                var acc = SIMD16<Float>()
                var d = 0
                while d < wide {
                    let kv = Lanes.widen(UnsafeRawPointer(k + d).loadUnaligned(as: SIMD16<Float16>.self))
                    acc = acc.addingProduct(qRaw.loadUnaligned(fromByteOffset: d &* 4, as: SIMD16<Float>.self), kv)
                    d &+= 16
                }
                var dot = acc.total
                while d < headDimension {
                    dot += q[d] * Float(k[d])
                    d &+= 1
                }
                scores[j] = dot * scale
            }
        }
        softmax(scores, count: length)
        for d in 0..<headDimension { output[d] = 0 }
        let out = UnsafeMutableRawPointer(output)
        for j in 0..<length {
            let p = Float(Float16(scores[j]))
            let v = values + j &* rowStride
            var d = 0
            while d < wide {
                let vv = Lanes.widen(UnsafeRawPointer(v + d).loadUnaligned(as: SIMD16<Float16>.self))
                let o = out.loadUnaligned(fromByteOffset: d &* 4, as: SIMD16<Float>.self)
                out.storeBytes(of: o.addingProduct(SIMD16(repeating: p), vv), toByteOffset: d &* 4, as: SIMD16<Float>.self)
                d &+= 16
            }
            while d < headDimension {
                output[d] += p * Float(v[d])
                d &+= 1
            }
        }
    }
}
