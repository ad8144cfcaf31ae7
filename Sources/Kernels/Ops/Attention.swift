/// An element type a key/value cache can hold.
public protocol CacheElement: Sendable {
    /// Whether attention over this type rounds the query and the softmax weights to Float16 before
    /// their products, as ggml does when the cache is Float16.
    static var roundsOperands: Bool { get }
    /// Sixteen consecutive elements as Floats.
    static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
    static func float(_ x: Self) -> Float
}

extension Float16: CacheElement {
    public static var roundsOperands: Bool { true }
    @inline(__always) public static func load16(_ p: UnsafePointer<Float16>) -> SIMD16<Float> {
        Lanes.widen(UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float16>.self))
    }
    @inline(__always) public static func float(_ x: Float16) -> Float { Float(x) }
}

extension Float: CacheElement {
    public static var roundsOperands: Bool { false }
    @inline(__always) public static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) public static func float(_ x: Float) -> Float { x }
}

extension Ops {
    /// Positions of keys (then values) visited together: every head of a group passes over a
    /// chunk while it is in L1 (64 rows of 64 Float16 dimensions are 8 KB).
    static let attentionChunk = 64

    /// Scratch floats `attend` needs for `heads` heads over `length` positions.
    public static func attentionScratch(heads: Int, length: Int, headDimension: Int) -> Int {
        heads * (length + headDimension)
    }

    /// Causal attention of `heads` query heads that share one key/value head (grouped-query
    /// attention) over a sequence's cached keys and values.
    ///
    /// Keys and values cached as Float16 (llama.cpp's default cache type) follow ggml's
    /// non-flash path: the query and the softmax weights are rounded to Float16 before their
    /// products. A Float cache rounds nothing (llama.cpp's `--cache-type-k/-v f32`). The heads
    /// take turns over each chunk of positions, so the cache is read once per group rather than
    /// once per head; each head's arithmetic is the same as if it ran alone.
    ///
    /// - Parameters:
    ///   - query: `heads` rows of `headDimension` floats, one after the other.
    ///   - keys, values: row `j` (`j < length`) starts at `keys + j * rowStride`.
    ///   - scores: scratch for `attentionScratch(heads:length:headDimension:)` floats.
    ///   - output: `heads` rows of `headDimension` floats.
    public static func attend(
        query: UnsafePointer<Float>, heads: Int = 1,
        keys: UnsafePointer<Float16>, values: UnsafePointer<Float16>, rowStride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.attend(query: query, heads: heads, keys: keys, values: values, rowStride: rowStride,
                                 length: length, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
        }
        #endif
        attention(query: query, heads: heads, keys: keys, values: values, rowStride: rowStride, length: length,
                  headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    /// `attend` over a Float cache: no rounding anywhere.
    public static func attend(
        query: UnsafePointer<Float>, heads: Int = 1,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, rowStride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.attend(query: query, heads: heads, keys: keys, values: values, rowStride: rowStride,
                                 length: length, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
        }
        #endif
        attention(query: query, heads: heads, keys: keys, values: values, rowStride: rowStride, length: length,
                  headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    @inline(__always)
    private static func attention<Element: CacheElement>(
        query: UnsafePointer<Float>, heads: Int,
        keys: UnsafePointer<Element>, values: UnsafePointer<Element>, rowStride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        // The queries (rounded to Float16 for a Float16 cache), after the heads' scores.
        let queries = scores + heads &* length
        if Element.roundsOperands {
            for i in 0..<(heads &* headDimension) { queries[i] = Float(Float16(query[i])) }
        } else {
            queries.update(from: query, count: heads &* headDimension)
        }
        var start = 0
        while start < length {
            let end = min(start &+ attentionChunk, length)
            for h in 0..<heads {
                attentionScores(queries + h &* headDimension, keys: keys, rowStride: rowStride, positions: start..<end,
                                headDimension: headDimension, scale: scale, into: scores + h &* length)
            }
            start = end
        }
        for h in 0..<heads {
            let p = scores + h &* length
            softmax(p, count: length)
            guard Element.roundsOperands else { continue }
            // The weights are rounded to Float16 before they meet the values.
            let raw = UnsafeMutableRawPointer(p)
            var j = 0
            while j &+ 16 <= length {
                let v = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self)
                raw.storeBytes(of: Lanes.roundedToHalf(v), toByteOffset: j &* 4, as: SIMD16<Float>.self)
                j &+= 16
            }
            while j < length { p[j] = Float(Float16(p[j])); j &+= 1 }
        }
        output.initialize(repeating: 0, count: heads &* headDimension)
        start = 0
        while start < length {
            let end = min(start &+ attentionChunk, length)
            for h in 0..<heads {
                attentionValues(scores + h &* length, values: values, rowStride: rowStride, positions: start..<end,
                                headDimension: headDimension, into: output + h &* headDimension)
            }
            start = end
        }
    }

    /// `scores[j] = scale · q·k_j` for `j` in `positions`.
    @inline(__always)
    private static func attentionScores<Element: CacheElement>(
        _ q: UnsafePointer<Float>, keys: UnsafePointer<Element>, rowStride: Int, positions: Range<Int>,
        headDimension: Int, scale: Float, into scores: UnsafeMutablePointer<Float>
    ) {
        let wide = headDimension & ~15   // dimensions handled 16 at a time; the rest one by one
        let qRaw = UnsafeRawPointer(q)
        @inline(__always) func key(_ j: Int, _ d: Int) -> SIMD16<Float> {
            Element.load16(keys + j &* rowStride + d)
        }
        @inline(__always) func tail(_ j: Int) -> Float {
            var dot: Float = 0
            for d in wide..<headDimension { dot += q[d] * Element.float(keys[j &* rowStride &+ d]) }
            return dot
        }
        // Four keys at a time, so each slice of the query is loaded once for all four.
        var j = positions.lowerBound
        while j &+ 4 <= positions.upperBound {
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
        while j < positions.upperBound {
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

    /// `output += Σ p[j]·v_j` over `positions`, in order of `j` for every dimension.
    @inline(__always)
    private static func attentionValues<Element: CacheElement>(
        _ p: UnsafePointer<Float>, values: UnsafePointer<Element>, rowStride: Int, positions: Range<Int>,
        headDimension: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let wide = headDimension & ~15
        @inline(__always) func value(_ j: Int, _ d: Int) -> SIMD16<Float> {
            Element.load16(values + j &* rowStride + d)
        }
        let out = UnsafeMutableRawPointer(output)
        @inline(__always) func load(_ d: Int) -> SIMD16<Float> {
            out.loadUnaligned(fromByteOffset: d &* 4, as: SIMD16<Float>.self)
        }
        @inline(__always) func store(_ v: SIMD16<Float>, _ d: Int) {
            out.storeBytes(of: v, toByteOffset: d &* 4, as: SIMD16<Float>.self)
        }
        // Sixty-four output dimensions at a time stay in registers while the chunk's rows pass.
        var d = 0
        while d &+ 64 <= wide {
            var o0 = load(d), o1 = load(d &+ 16), o2 = load(d &+ 32), o3 = load(d &+ 48)
            for j in positions {
                let w = SIMD16<Float>(repeating: p[j])
                o0 = o0.addingProduct(w, value(j, d))
                o1 = o1.addingProduct(w, value(j, d &+ 16))
                o2 = o2.addingProduct(w, value(j, d &+ 32))
                o3 = o3.addingProduct(w, value(j, d &+ 48))
            }
            store(o0, d); store(o1, d &+ 16); store(o2, d &+ 32); store(o3, d &+ 48)
            d &+= 64
        }
        while d < wide {
            var o = load(d)
            for j in positions { o = o.addingProduct(SIMD16(repeating: p[j]), value(j, d)) }
            store(o, d)
            d &+= 16
        }
        while d < headDimension {
            var o = output[d]
            for j in positions { o += p[j] * Element.float(values[j &* rowStride &+ d]) }
            output[d] = o
            d &+= 1
        }
    }
}
