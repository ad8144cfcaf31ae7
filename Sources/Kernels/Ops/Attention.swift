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
        withUnsafeTemporaryAllocation(of: Float.self, capacity: headDimension) { q in
            for d in 0..<headDimension { q[d] = Float(Float16(query[d])) }
            for j in 0..<length {
                let k = keys + j &* rowStride
                var dot: Float = 0
                for d in 0..<headDimension { dot += q[d] * Float(k[d]) }
                scores[j] = dot * scale
            }
        }
        softmax(scores, count: length)
        for d in 0..<headDimension { output[d] = 0 }
        for j in 0..<length {
            let p = Float(Float16(scores[j]))
            let v = values + j &* rowStride
            for d in 0..<headDimension { output[d] += p * Float(v[d]) }
        }
    }
}
