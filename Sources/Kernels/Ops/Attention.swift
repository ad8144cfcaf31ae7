/// An element type a key/value cache can hold.
public protocol CacheElement: Sendable {
    /// Whether attention over this type rounds the query and the softmax weights to Float16 before
    /// their products, as ggml does when the cache is Float16.
    static var roundsOperands: Bool { get }
    /// Sixteen consecutive elements as Floats.
    static func load16(_ p: UnsafePointer<Self>) -> SIMD16<Float>
    static func float(_ x: Self) -> Float
    /// `x` as stored in the cache (rounded to nearest for Float16).
    init(_ x: Float)
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
    /// Positions per key block. A key/value head's keys are stored in blocks of this many
    /// positions, dimension-major within a block: block b holds, for dimension 0, the keys of
    /// positions 16b…16b+15 side by side, then dimension 1's, and so on. Scoring sixteen positions
    /// is then sixteen-lane products of the query's dimensions with whole vectors, with no sums
    /// across lanes (which cost more than the products in a row-per-position layout).
    public static let keyBlock = 16

    /// Positions `attend` scores at a time, a pair of key blocks: it reads keys up to the end of
    /// a pair.
    static let scoredPositions = 2 * keyBlock

    /// Elements that hold the keys of positions `0..<positions` of one key/value head, rounded
    /// up to whole pairs of blocks (what `attend` may read).
    public static func keyElements(positions: Int, headDimension: Int) -> Int {
        (positions + scoredPositions - 1) / scoredPositions * scoredPositions * headDimension
    }

    /// Where dimension 0 of `position`'s key lives among a head's key blocks; dimension `d` is
    /// `d · keyBlock` further on.
    @inline(__always)
    public static func keyIndex(position: Int, headDimension: Int) -> Int {
        (position / keyBlock) &* keyBlock &* headDimension &+ position % keyBlock
    }

    /// Writes one position's key (`headDimension` floats) into a head's key blocks.
    @inline(__always)
    public static func storeKey<Element: CacheElement>(
        _ key: UnsafePointer<Float>, position: Int, headDimension: Int, into keys: UnsafeMutablePointer<Element>
    ) {
        let k = keys + keyIndex(position: position, headDimension: headDimension)
        for d in 0..<headDimension { k[d &* keyBlock] = Element(key[d]) }
    }

    /// Scores kept per head for `length` positions: from the start of the first pair of key
    /// blocks to the end of the last.
    static func scoreStride(length: Int) -> Int {
        keyElements(positions: length + scoredPositions - 1, headDimension: 1)
    }

    /// Scratch floats `attend` needs for `heads` heads over `length` positions.
    public static func attentionScratch(heads: Int, length: Int, headDimension: Int) -> Int {
        heads * (scoreStride(length: length) + headDimension)
    }

    /// Causal attention of `heads` query heads that share one key/value head (grouped-query
    /// attention) over that head's cached keys and values at `positions`.
    ///
    /// Keys and values cached as Float16 (llama.cpp's default cache type) follow ggml's
    /// non-flash path: the query and the softmax weights are rounded to Float16 before their
    /// products. A Float cache rounds nothing (llama.cpp's `--cache-type-k/-v f32`). The heads
    /// share each load of the cache (keys are scored for two heads at a time, values
    /// are visited a chunk at a time by every head); each head's arithmetic is the same as if it
    /// ran alone.
    ///
    /// - Parameters:
    ///   - query: `heads` rows of `headDimension` floats, one after the other.
    ///   - keys: the head's key blocks from position 0 (see `keyBlock`), readable for
    ///     `keyElements(positions: positions.upperBound, headDimension:)` elements.
    ///   - values: row `j` (the value of position `j`) starts at `values + j * valueStride`.
    ///   - scores: scratch for `attentionScratch(heads:length:headDimension:)` floats.
    ///   - output: `heads` rows of `headDimension` floats; may be `query` itself (the query is
    ///     copied to `scores` before anything is written).
    public static func attend(
        query: UnsafePointer<Float>, heads: Int = 1,
        keys: UnsafePointer<Float16>, values: UnsafePointer<Float16>, valueStride: Int,
        positions: Range<Int>, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.attend(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                                 positions: positions, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
        }
        #endif
        attention(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                  positions: positions, headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    /// `attend` over a Float cache: no rounding anywhere.
    public static func attend(
        query: UnsafePointer<Float>, heads: Int = 1,
        keys: UnsafePointer<Float>, values: UnsafePointer<Float>, valueStride: Int,
        positions: Range<Int>, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(KernelsAVX512) && !KERNELS_VARIANT
        if AVX512.enabled {
            return AVX512.attend(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                                 positions: positions, headDimension: headDimension, scale: scale, scores: scores,
                                 output: output)
        }
        #endif
        attention(query: query, heads: heads, keys: keys, values: values, valueStride: valueStride,
                  positions: positions, headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    @inline(__always)
    private static func attention<Element: CacheElement>(
        query: UnsafePointer<Float>, heads: Int,
        keys: UnsafePointer<Element>, values: UnsafePointer<Element>, valueStride: Int,
        positions: Range<Int>, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let length = positions.count
        // Scores start at the first position of the first pair of key blocks: position p's is
        // at index p - blockStart of its head's row of `stride`.
        let step = scoredPositions
        let blockStart = positions.lowerBound / step &* step
        let offset = positions.lowerBound &- blockStart
        let stride = scoreStride(length: length)
        // The queries (rounded to Float16 for a Float16 cache), after the heads' scores.
        let queries = scores + heads &* stride
        if Element.roundsOperands {
            for i in 0..<(heads &* headDimension) { queries[i] = Float(Float16(query[i])) }
        } else {
            queries.update(from: query, count: heads &* headDimension)
        }
        var p = 0
        while p < offset &+ length {
            let blocks = keys + (blockStart &+ p) &* headDimension
            var h = 0
            while h < heads {
                let tile = min(heads &- h, headsPerTile)
                let q = queries + h &* headDimension, out = scores + (h &* stride &+ p)
                if tile == 2 {
                    scoreTile(2, q, headDimension: headDimension, keys: blocks, scale: scale, into: out, stride: stride)
                } else {
                    scoreTile(1, q, headDimension: headDimension, keys: blocks, scale: scale, into: out, stride: stride)
                }
                h &+= tile
            }
            p &+= step
        }
        // The weights are rounded to Float16 before they meet Float16 values.
        for h in 0..<heads {
            softmax(scores + (h &* stride &+ offset), count: length, roundingToHalf: Element.roundsOperands)
        }
        // Values a chunk of positions at a time (in L1 while every head passes over it), one or
        // two heads per pass.
        output.initialize(repeating: 0, count: heads &* headDimension)
        var start = 0
        while start < length {
            let end = min(start &+ valueChunk, length)
            let rows = values + (positions.lowerBound &+ start) &* valueStride
            valueTiles(heads, scores + (offset &+ start), stride: stride, values: rows, valueStride: valueStride,
                       count: end &- start, headDimension: headDimension, into: output)
            start = end
        }
    }

    /// Positions of values visited together (64 rows of 64 Float16 dimensions are 8 KB).
    static let valueChunk = 64

    /// `valueTile` over every head, two at a time where it can.
    @inline(__always)
    private static func valueTiles<Element: CacheElement>(
        _ heads: Int, _ p: UnsafePointer<Float>, stride: Int, values: UnsafePointer<Element>, valueStride: Int,
        count: Int, headDimension: Int, into output: UnsafeMutablePointer<Float>
    ) {
        var h = 0
        while h < heads {
            let weights = p + h &* stride, out = output + h &* headDimension
            if h &+ 1 < heads && headsPerTile > 1 {
                valueTile(2, weights, stride: stride, values: values, valueStride: valueStride, count: count,
                          headDimension: headDimension, into: out)
                h &+= 2
            } else {
                valueTile(1, weights, stride: stride, values: values, valueStride: valueStride, count: count,
                          headDimension: headDimension, into: out)
                h &+= 1
            }
        }
    }

    /// Heads that share each load of keys and of values: two heads' sums over two key blocks, or
    /// over 64 value dimensions, fit AVX-512's 32 vector registers; AVX2 has 16, and a 16-lane
    /// vector takes two of them, so there each head goes alone.
    #if AVX512VNNI
    static let headsPerTile = 2
    #else
    static let headsPerTile = 1
    #endif

    /// `scores[h·stride + i] = scale · q_h·k_i` for `count` heads (a constant where inlined) and the
    /// 32 positions of two key blocks.
    ///
    /// Each score is summed in the order llama.cpp's F16 matrix product (tinyBLAS) uses on
    /// AVX-512: sixteen chains `c_l = Σ_s q[16s + l]·k[16s + l]` of fused multiply-adds, one per
    /// vector lane l, then a halving tree over the lanes (`_mm512_reduce_add_ps`). A different
    /// order moves the scores by a few ulp, which the Float16 rounding of the weights turns into
    /// visible differences in the logits.
    @inline(__always)
    private static func scoreTile<Element: CacheElement>(
        _ count: Int, _ q: UnsafePointer<Float>, headDimension: Int, keys: UnsafePointer<Element>, scale: Float,
        into scores: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let next = keys + keyBlock &* headDimension
        let wide = headDimension & ~15
        typealias Sums = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)  // head 0's two blocks, head 1's
        // The chain of lane l for every head and block: dimensions l, l + 16, l + 32, …
        @inline(__always) func chain(_ l: Int) -> Sums {
            var a0 = SIMD16<Float>(), b0 = a0, a1 = a0, b1 = a0
            var d = l
            while d < wide {
                let k = Element.load16(keys + d &* keyBlock), n = Element.load16(next + d &* keyBlock)
                let q0 = SIMD16<Float>(repeating: q[d])
                a0 = a0.addingProduct(q0, k); b0 = b0.addingProduct(q0, n)
                if count > 1 {
                    let q1 = SIMD16<Float>(repeating: q[headDimension &+ d])
                    a1 = a1.addingProduct(q1, k); b1 = b1.addingProduct(q1, n)
                }
                d &+= 16
            }
            return (a0, b0, a1, b1)
        }
        @inline(__always) func add(_ x: Sums, _ y: Sums) -> Sums { (x.0 + y.0, x.1 + y.1, x.2 + y.2, x.3 + y.3) }
        // The reduction tree's first two levels for lanes l, l + 8, l + 4, l + 12.
        @inline(__always) func quad(_ l: Int) -> Sums {
            add(add(chain(l), chain(l &+ 8)), add(chain(l &+ 4), chain(l &+ 12)))
        }
        var total = add(add(quad(0), quad(2)), add(quad(1), quad(3)))
        // Dimensions past the last 16 (no Qwen, Llama or Gemma head has them), in order.
        for d in wide..<headDimension {
            let k = Element.load16(keys + d &* keyBlock), n = Element.load16(next + d &* keyBlock)
            let q0 = SIMD16<Float>(repeating: q[d]), q1 = SIMD16<Float>(repeating: count > 1 ? q[headDimension &+ d] : 0)
            total = (total.0.addingProduct(q0, k), total.1.addingProduct(q0, n),
                     total.2.addingProduct(q1, k), total.3.addingProduct(q1, n))
        }
        let out = UnsafeMutableRawPointer(scores)
        out.storeBytes(of: total.0 * scale, as: SIMD16<Float>.self)
        out.storeBytes(of: total.1 * scale, toByteOffset: keyBlock &* 4, as: SIMD16<Float>.self)
        if count > 1 {
            out.storeBytes(of: total.2 * scale, toByteOffset: stride &* 4, as: SIMD16<Float>.self)
            out.storeBytes(of: total.3 * scale, toByteOffset: (stride &+ keyBlock) &* 4, as: SIMD16<Float>.self)
        }
    }

    /// `output_h += Σ p_h[j]·v_j` over `count` rows of values for `heads` heads (1 or 2, a
    /// constant where inlined; head h's weights are `h · stride` after `p`), in order of `j` for
    /// every dimension.
    @inline(__always)
    private static func valueTile<Element: CacheElement>(
        _ heads: Int, _ p: UnsafePointer<Float>, stride: Int, values: UnsafePointer<Element>, valueStride: Int,
        count: Int, headDimension: Int, into output: UnsafeMutablePointer<Float>
    ) {
        let wide = headDimension & ~15
        let out = UnsafeMutableRawPointer(output)
        let second = headDimension &* 4   // the second head's output, in bytes
        @inline(__always) func value(_ j: Int, _ d: Int) -> SIMD16<Float> {
            Element.load16(values + (j &* valueStride &+ d))
        }
        @inline(__always) func load(_ byte: Int) -> SIMD16<Float> {
            out.loadUnaligned(fromByteOffset: byte, as: SIMD16<Float>.self)
        }
        @inline(__always) func store(_ x: SIMD16<Float>, _ byte: Int) {
            out.storeBytes(of: x, toByteOffset: byte, as: SIMD16<Float>.self)
        }
        // Sixty-four output dimensions at a time stay in registers while the chunk's rows pass.
        var d = 0
        while d &+ 64 <= wide {
            let b = d &* 4
            var o0 = load(b), o1 = load(b &+ 64), o2 = load(b &+ 128), o3 = load(b &+ 192)
            var e0 = SIMD16<Float>(), e1 = e0, e2 = e0, e3 = e0
            if heads > 1 {
                e0 = load(second &+ b); e1 = load(second &+ b &+ 64)
                e2 = load(second &+ b &+ 128); e3 = load(second &+ b &+ 192)
            }
            for j in 0..<count {
                let v0 = value(j, d), v1 = value(j, d &+ 16), v2 = value(j, d &+ 32), v3 = value(j, d &+ 48)
                let w = SIMD16<Float>(repeating: p[j])
                o0 = o0.addingProduct(w, v0); o1 = o1.addingProduct(w, v1)
                o2 = o2.addingProduct(w, v2); o3 = o3.addingProduct(w, v3)
                if heads > 1 {
                    let x = SIMD16<Float>(repeating: p[stride &+ j])
                    e0 = e0.addingProduct(x, v0); e1 = e1.addingProduct(x, v1)
                    e2 = e2.addingProduct(x, v2); e3 = e3.addingProduct(x, v3)
                }
            }
            store(o0, b); store(o1, b &+ 64); store(o2, b &+ 128); store(o3, b &+ 192)
            if heads > 1 {
                store(e0, second &+ b); store(e1, second &+ b &+ 64)
                store(e2, second &+ b &+ 128); store(e3, second &+ b &+ 192)
            }
            d &+= 64
        }
        for h in 0..<heads {
            let ph = p + h &* stride, oh = output + h &* headDimension
            var e = d
            while e < wide {
                var o = load((h &* headDimension &+ e) &* 4)
                for j in 0..<count { o = o.addingProduct(SIMD16(repeating: ph[j]), value(j, e)) }
                store(o, (h &* headDimension &+ e) &* 4)
                e &+= 16
            }
            while e < headDimension {
                var o = oh[e]
                for j in 0..<count { o += ph[j] * Element.float(values[j &* valueStride &+ e]) }
                oh[e] = o
                e &+= 1
            }
        }
    }
}
