/// A K-quant whose super-block (256 weights) is unpacked into registers once and then dotted
/// with one or several tokens' Q8_K blocks: Q4_K and Q6_K, the K-quants of the common
/// `Q4_K_M` files, and Q5_K, which is Q4_K with a fifth bit.
///
/// Every kernel computes a super-block's product with a token in the same two steps, so the row
/// dot, the many-token `dots` and the rows × tokens `tile` agree bit for bit:
/// 1. two exact Int32 totals, the runs' Σ scale·q·y (`ScaledRuns.sums`) and the offset term
///    Σ_k offsets_k·bsum_k. Integer sums are exact, so each kernel adds them up in the order that
///    suits it.
/// 2. the float step (`SuperBlockStep`): each total converted, times its super-block scale times
///    the token's, fused into the pair's one running sum.
///
/// This is the order of llama.cpp's repacked Q4_K kernels, with one difference: llama.cpp keeps
/// the min terms in a second sum and subtracts it at the end, two large sums that mostly cancel;
/// one running sum stays near the result. Unlike a float step per lane of the integer sums (the
/// order of llama.cpp's `ggml_vec_dot_q4_K_q8_K`), it lets the tile add up sixteen (row, token)
/// pairs' integer lanes together and take their float steps in a few instructions.
protocol RegisterSuperBlock: DotFormat where Activation == Q8K {
    /// A super-block's quants and scales in registers.
    static func registers(_ block: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader)
    /// True when the offset term has the runs' scale (Q6_K's −32·Σ sc_g·bsum_g): it is then added
    /// to the run total as an integer, exactly, before the float step.
    static var foldsOffsets: Bool { get }
    /// The integer lanes of super-block `block` of a row against the Q8_K block at `y`: by default
    /// from `registers`. A requirement, so that a format with a shorter way is specialized to it.
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes
}

/// What the float step needs of a super-block besides its runs.
struct SuperBlockHeader {
    /// Weights of a token's 16 bsums: the offset total is Σ_k offsets[k]·bsum_k.
    var offsets: SIMD16<Int16>
    /// The scale of the run total, and of the offset total when that is kept apart (Q4_K: −dmin).
    var d, offsetScale: Float
    /// The scales of the sixteen 16-weight groups, which the runs' scale lanes spread: groups
    /// 0, 2, …, 14 in lanes 0..<8, groups 1, 3, …, 15 in lanes 8..<16 (what
    /// `ScaledRuns.sums(_:groupScales:)` takes).
    var groupScales: SIMD16<Int16>
}

/// The float step of a super-block: `run` and `offset` are its exact totals against a token whose
/// Q8_K scale is `dy`. For one (row, token) pair, and for sixteen lane by lane, the same
/// arithmetic.
enum SuperBlockStep {
    @inline(__always)
    static func add(run: Int32, offset: Int32, dy: Float, _ h: SuperBlockHeader, foldsOffsets: Bool,
                    to sum: inout Float) {
        if foldsOffsets {
            sum = sum.addingProduct(Float(run &+ offset), dy * h.d)
        } else {
            sum = sum.addingProduct(Float(run), dy * h.d).addingProduct(Float(offset), dy * h.offsetScale)
        }
    }

    @inline(__always)
    static func add(run: SIMD16<Int32>, offset: SIMD16<Int32>, dy: SIMD16<Float>, d: SIMD16<Float>,
                    offsetScale: SIMD16<Float>, foldsOffsets: Bool, to sum: inout SIMD16<Float>) {
        if foldsOffsets {
            sum = sum.addingProduct(Lanes.floats(run &+ offset), dy * d)
        } else {
            sum = sum.addingProduct(Lanes.floats(run), dy * d).addingProduct(Lanes.floats(offset), dy * offsetScale)
        }
    }
}

/// A super-block's integer lanes against one token, waiting for their float step: the run and
/// offset lanes (each adding up to its total), the token's scale and the super-block's header.
struct SuperBlockLanes {
    var run, offset: SIMD8<Int32>
    var dy: Float
    var header: SuperBlockHeader

    /// Reduces the lanes to their totals and takes the float step into `sum`.
    @inline(__always)
    func add(to sum: inout Float, foldsOffsets: Bool) {
        if foldsOffsets {
            SuperBlockStep.add(run: (run &+ offset).wrappedSum(), offset: 0, dy: dy, header, foldsOffsets: true,
                               to: &sum)
        } else {
            // Both totals from one reduction on 256-bit registers: run's halves added in lanes 0..<4,
            // offset's in lanes 4..<8, then each four added up into its first lane.
            let halves = SIMD8(lowHalf: run.lowHalf, highHalf: offset.lowHalf)
                &+ SIMD8(lowHalf: run.highHalf, highHalf: offset.highHalf)
            let pairs = halves &+ halves.lanesSwapped(2)
            let totals = pairs &+ pairs.lanesSwapped(1)
            SuperBlockStep.add(run: totals[0], offset: totals[4], dy: dy, header, foldsOffsets: false, to: &sum)
        }
    }
}

extension RegisterSuperBlock {
    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        let (runs, h) = registers(block)
        return lanes(runs, h, y)
    }

    @inline(__always)
    static func lanes(_ runs: ScaledRuns, _ h: SuperBlockHeader, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        SuperBlockLanes(run: runs.sums(y + Q8K.quantsOffset, groupScales: h.groupScales), offset: offsetLanes(h, y),
                        dy: y.loadUnaligned(as: Float.self), header: h)
    }

    /// The offset term's lanes: the header's offsets times the bsums of the Q8_K block at `y`.
    @inline(__always)
    static func offsetLanes(_ h: SuperBlockHeader, _ y: UnsafeRawPointer) -> SIMD8<Int32> {
        ByteDot.pairProducts(y.loadUnaligned(fromByteOffset: Q8K.bsumsOffset, as: SIMD16<Int16>.self), h.offsets)
    }

    /// Each super-block's float step waits two iterations, so its reduction and the running sum's
    /// chain overlap later super-blocks' integer work instead of ending every iteration with a
    /// long dependency (1.5B decode on 1 thread: 18.5 tok/s with no wait, 19.3 with one, 19.7
    /// with two).
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        let blocks = count / 256
        guard blocks > 0 else { return sum }
        var first = lanes(weights, activations)
        guard blocks > 1 else {
            first.add(to: &sum, foldsOffsets: foldsOffsets)
            return sum
        }
        var second = lanes(weights + bytesPerBlock, activations + Q8K.bytesPerBlock)
        for b in 2..<blocks {
            let next = lanes(weights + b &* bytesPerBlock, activations + b &* Q8K.bytesPerBlock)
            first.add(to: &sum, foldsOffsets: foldsOffsets)
            (first, second) = (second, next)
        }
        first.add(to: &sum, foldsOffsets: foldsOffsets)
        second.add(to: &sum, foldsOffsets: foldsOffsets)
        return sum
    }

    /// Four tokens at a time share each unpacked super-block.
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        let s = activationStride
        var t = 0
        while t &+ 4 <= tokens {
            let a = activations + t &* s
            var sum0: Float = 0, sum1: Float = 0, sum2: Float = 0, sum3: Float = 0
            for b in 0..<(count / 256) {
                let (runs, header) = registers(weights + b &* bytesPerBlock)
                let y = a + b &* Q8K.bytesPerBlock
                lanes(runs, header, y).add(to: &sum0, foldsOffsets: foldsOffsets)
                lanes(runs, header, y + s).add(to: &sum1, foldsOffsets: foldsOffsets)
                lanes(runs, header, y + 2 &* s).add(to: &sum2, foldsOffsets: foldsOffsets)
                lanes(runs, header, y + 3 &* s).add(to: &sum3, foldsOffsets: foldsOffsets)
            }
            out[t &* outputStride] = sum0
            out[(t &+ 1) &* outputStride] = sum1
            out[(t &+ 2) &* outputStride] = sum2
            out[(t &+ 3) &* outputStride] = sum3
            t &+= 4
        }
        while t < tokens {
            out[t &* outputStride] = dot(weights, activations + t &* s, count: count)
            t &+= 1
        }
    }

    /// Prefill's kernel. With AVX-512 VNNI, four rows against up to `maxTokenQuads` quads of tokens
    /// at a time: each super-block of the four rows is unpacked once into stack buffers for all of
    /// them, and `tile2x4` then loads each token's activations once for two rows and each row's
    /// quants once for four tokens (llama.cpp gets the same sharing by repacking rows into
    /// interleaved groups at load time). Elsewhere, and at the edges, `dots` row by row.
    static func tile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                     activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                     outputStride: Int) {
        #if AVX512VNNI
        let quadRows = rows & ~3, quadTokens = tokens & ~3
        #else
        // The integer accumulators are 512-bit registers, and AVX-512 has 32 of them.
        let quadRows = 0, quadTokens = 0
        #endif
        if quadRows > 0 && quadTokens > 0 {
            // One buffer per row of a quad, its 64-byte aligned start holding the row's unpacked
            // super-block (`runQuad` loads 64 bytes at a time; unaligned, each load would span two
            // lines), and one for the float sums of each quad of tokens (64 bytes each).
            Scratch.withBuffers { rowBuffers in
                Scratch.withBuffer { sumsBuffer in
                    let unpacked = (rowBuffers.0.alignedTo64, rowBuffers.1.alignedTo64,
                                    rowBuffers.2.alignedTo64, rowBuffers.3.alignedTo64)
                    let sums = sumsBuffer.baseAddress!.bindMemory(to: SIMD16<Float>.self, capacity: maxTokenQuads)
                    var r = 0
                    while r < quadRows {
                        var t = 0
                        while t < quadTokens {
                            let quads = Swift.min(maxTokenQuads, (quadTokens &- t) / 4)
                            quadTile(weights + r &* rowBytes, rowBytes: rowBytes,
                                     activations + t &* activationStride, activationStride: activationStride,
                                     tokenQuads: quads, count: count, unpacked: unpacked, sums: sums,
                                     into: out + (t &* outputStride &+ r), outputStride: outputStride)
                            t &+= 4 &* quads
                        }
                        r &+= 4
                    }
                }
            }
        }
        // The edges: rows past the last quad against every token, tokens past the last quad
        // against the quads' rows.
        for r in quadRows..<rows {
            dots(weights + r &* rowBytes, activations, activationStride: activationStride, tokens: tokens,
                 count: count, into: out + r, outputStride: outputStride)
        }
        if quadTokens < tokens {
            for r in 0..<quadRows {
                dots(weights + r &* rowBytes, activations + quadTokens &* activationStride,
                     activationStride: activationStride, tokens: tokens &- quadTokens, count: count,
                     into: out + quadTokens &* outputStride + r, outputStride: outputStride)
            }
        }
    }

    /// Token quads that share one unpacking of four rows' super-block (measured: 16 were no
    /// faster than 8).
    private static var maxTokenQuads: Int { 8 }

    /// Four rows times one to eight quads of tokens over every super-block: result (row i, token
    /// k) to `out[k·outputStride + i]`. Quad n's float sums are `sums[n]`, lane 4i + t for row i
    /// and the quad's token t.
    @inline(__always)
    private static func quadTile(
        _ weights: UnsafeRawPointer, rowBytes: Int, _ a: UnsafeRawPointer, activationStride s: Int, tokenQuads: Int,
        count: Int,
        unpacked: (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer),
        sums: UnsafeMutablePointer<SIMD16<Float>>, into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        sums.initialize(repeating: SIMD16(), count: tokenQuads)
        let (u0, u1, u2, u3) = unpacked
        for b in 0..<(count / 256) {
            let w = weights + b &* bytesPerBlock
            @inline(__always) func unpack(_ i: Int, _ to: UnsafeMutableRawPointer) -> SuperBlockHeader {
                let (runs, header) = registers(w + i &* rowBytes)
                runs.store(to: to)
                return header
            }
            let rows = RowQuad(unpack(0, u0), unpack(1, u1), unpack(2, u2), unpack(3, u3))
            for n in 0..<tokenQuads {
                let y = a + (4 &* n &* s &+ b &* Q8K.bytesPerBlock)
                let (run0, run1) = ScaledRuns.tile2x4(u0, u1, y, activationStride: s)
                let (run2, run3) = ScaledRuns.tile2x4(u2, u3, y, activationStride: s)
                let run = Lanes.fold(Lanes.fold(run0, run1, width: 2), Lanes.fold(run2, run3, width: 2), width: 1)
                let tokens = TokenQuad(y, activationStride: s)
                SuperBlockStep.add(run: run, offset: rows.offsetTotals(tokens), dy: tokens.d, d: rows.d,
                                   offsetScale: rows.offsetScale, foldsOffsets: foldsOffsets, to: &sums[n])
            }
        }
        for n in 0..<tokenQuads {
            let v = sums[n]
            for t in 0..<4 {
                for i in 0..<4 { out[(4 &* n &+ t) &* outputStride &+ i] = v[4 &* i &+ t] }
            }
        }
    }
}

/// Four rows' super-block headers as the tile's lanes need them: lane 4i + t belongs to row i and
/// token t.
private struct RowQuad {
    var d, offsetScale: SIMD16<Float>
    /// Each row's offsets 0..<8 (`low`) and 8..<16 (`high`) in all four 128-bit quarters.
    var low, high: (SIMD32<Int16>, SIMD32<Int16>, SIMD32<Int16>, SIMD32<Int16>)

    @inline(__always)
    init(_ h0: SuperBlockHeader, _ h1: SuperBlockHeader, _ h2: SuperBlockHeader, _ h3: SuperBlockHeader) {
        @inline(__always) func spread(_ v: SIMD4<Float>) -> SIMD16<Float> {
            var r = SIMD16<Float>()
            for l in 0..<16 { r[l] = v[l >> 2] }
            return r
        }
        d = spread(SIMD4(h0.d, h1.d, h2.d, h3.d))
        offsetScale = spread(SIMD4(h0.offsetScale, h1.offsetScale, h2.offsetScale, h3.offsetScale))
        @inline(__always) func quarters(_ v: SIMD8<Int16>) -> SIMD32<Int16> {
            let half = SIMD16(lowHalf: v, highHalf: v)
            return SIMD32(lowHalf: half, highHalf: half)
        }
        low = (quarters(h0.offsets.lowHalf), quarters(h1.offsets.lowHalf),
               quarters(h2.offsets.lowHalf), quarters(h3.offsets.lowHalf))
        high = (quarters(h0.offsets.highHalf), quarters(h1.offsets.highHalf),
                quarters(h2.offsets.highHalf), quarters(h3.offsets.highHalf))
    }

    /// The offset totals of the four rows against four tokens' bsums, in the tile's lanes. Per
    /// row, two `vpdpwssd`s leave token t's total spread over lanes 4t..<4t + 4; three folds
    /// gather the sixteen totals.
    @inline(__always)
    func offsetTotals(_ tokens: TokenQuad) -> SIMD16<Int32> {
        @inline(__always) func row(_ low: SIMD32<Int16>, _ high: SIMD32<Int16>) -> SIMD16<Int32> {
            ByteDot.pairProducts(low, tokens.low) &+ ByteDot.pairProducts(high, tokens.high)
        }
        return Lanes.fold(Lanes.fold(row(low.0, high.0), row(low.1, high.1), width: 2),
                          Lanes.fold(row(low.2, high.2), row(low.3, high.3), width: 2), width: 1)
    }
}

/// Four tokens' Q8_K scales and bsums as the tile's lanes need them.
private struct TokenQuad {
    /// Token t's scale in lanes 4i + t.
    var d: SIMD16<Float>
    /// Token t's bsums 0..<8 (`low`) and 8..<16 (`high`) in 128-bit quarter t.
    var low, high: SIMD32<Int16>

    @inline(__always)
    init(_ y: UnsafeRawPointer, activationStride s: Int) {
        let d4 = SIMD4<Float>(y.loadUnaligned(as: Float.self), (y + s).loadUnaligned(as: Float.self),
                              (y + 2 &* s).loadUnaligned(as: Float.self), (y + 3 &* s).loadUnaligned(as: Float.self))
        d = SIMD16(lowHalf: SIMD8(lowHalf: d4, highHalf: d4), highHalf: SIMD8(lowHalf: d4, highHalf: d4))
        @inline(__always) func bsums(_ offset: Int) -> SIMD32<Int16> {
            @inline(__always) func quarter(_ t: Int) -> SIMD8<Int16> {
                y.loadUnaligned(fromByteOffset: t &* s &+ offset, as: SIMD8<Int16>.self)
            }
            return SIMD32(lowHalf: SIMD16(lowHalf: quarter(0), highHalf: quarter(1)),
                          highHalf: SIMD16(lowHalf: quarter(2), highHalf: quarter(3)))
        }
        low = bsums(Q8K.bsumsOffset)
        high = bsums(Q8K.bsumsOffset &+ 16)
    }
}

/// A super-block's 256 unsigned quants (below 64) in eight runs of 32, each with the Int16 scales of its
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

    /// `sums(y)`'s total in fewer instructions, for the kernels that dot a super-block with one
    /// token at a time: with VNNI, each run's quants times `y` four products per Int32 lane
    /// (`vpdpbusd`; |lane| ≤ 4·63·128 fits Int16), two runs' lanes packed to Int16 (`vpackssdw`)
    /// and multiplied by their groups' scales in one `vpmaddwd`, whose scale lanes one shuffle
    /// picks from `groupScales` (`SuperBlockHeader.groupScales`). `sums` needs a two-instruction
    /// broadcast per run instead. The lanes differ from `sums`'s; the total is the same, exactly.
    @inline(__always)
    func sums(_ y: UnsafeRawPointer, groupScales: SIMD16<Int16>) -> SIMD8<Int32> {
        #if arch(x86_64) && AVX512VNNI
        // Runs 2p and 2p + 1, packed: run 2p's lanes 0..<4 (group 4p) and run 2p + 1's (group
        // 4p + 2) fill the low half, their lanes 4..<8 (groups 4p + 1, 4p + 3) the high half.
        // Even groups' scales sit in `groupScales`' low half and odd groups' in its high half, so
        // words 2p and 2p + 1 of each half are the scales both halves need.
        @inline(__always) func pair(_ p: Int, _ a: SIMD32<UInt8>, _ b: SIMD32<UInt8>) -> SIMD8<Int32> {
            let x = ByteDot.lanes(SIMD8(), a, y.loadUnaligned(fromByteOffset: 64 &* p, as: SIMD32<Int8>.self))
            let z = ByteDot.lanes(SIMD8(), b, y.loadUnaligned(fromByteOffset: 64 &* p &+ 32, as: SIMD32<Int8>.self))
            return ByteDot.pairProducts(ByteDot.packed(x, z), ByteDot.spread(groupScales, word: 2 &* p))
        }
        return (pair(0, q0, q1) &+ pair(1, q2, q3)) &+ (pair(2, q4, q5) &+ pair(3, q6, q7))
        #else
        return sums(y)
        #endif
    }

    /// Writes the runs to `p` (384 bytes) as `runQuad(_:of:)` reads them back: the eight quant
    /// runs, each pair in one 64-byte store, then each four runs' scales interleaved as
    /// `ByteDot.scaledLanes(_:_:_:_:_:interleaved:)` takes them. Each load is forwarded from one
    /// store (a load spanning two stores waits until they reach the cache).
    @inline(__always)
    func store(to p: UnsafeMutableRawPointer) {
        @inline(__always) func put(_ j: Int, _ qa: SIMD32<UInt8>, _ qb: SIMD32<UInt8>) {
            p.storeBytes(of: SIMD64(lowHalf: qa, highHalf: qb), toByteOffset: 32 &* j, as: SIMD64<UInt8>.self)
        }
        put(0, q0, q1); put(2, q2, q3); put(4, q4, q5); put(6, q6, q7)
        @inline(__always)
        func scales(_ n: Int, _ a: SIMD16<Int16>, _ b: SIMD16<Int16>, _ c: SIMD16<Int16>, _ d: SIMD16<Int16>) {
            let quad = ByteDot.interleaved(SIMD32(lowHalf: a, highHalf: b), SIMD32(lowHalf: c, highHalf: d))
            p.storeBytes(of: quad, toByteOffset: 256 &+ 64 &* n, as: SIMD32<Int16>.self)
        }
        scales(0, s0, s1, s2, s3); scales(1, s4, s5, s6, s7)
    }

    /// Runs 4n…4n + 3 from runs stored at `p`: two pairs of runs' quants and their interleaved scales.
    @inline(__always)
    static func runQuad(_ n: Int, of p: UnsafeRawPointer) -> (SIMD64<UInt8>, SIMD64<UInt8>, SIMD32<Int16>) {
        (p.loadUnaligned(fromByteOffset: 128 &* n, as: SIMD64<UInt8>.self),
         p.loadUnaligned(fromByteOffset: 128 &* n &+ 64, as: SIMD64<UInt8>.self),
         p.loadUnaligned(fromByteOffset: 256 &+ 64 &* n, as: SIMD32<Int16>.self))
    }

    /// One super-block of two unpacked rows times four tokens' Q8_K blocks (`y`, `y + s`, …): each
    /// row's run totals for the four tokens, four lanes per token (token t in lanes 4t..<4t + 4),
    /// whose sum is the token's total. Four runs at a time on 512-bit registers
    /// (`ByteDot.scaledLanes(_:_:_:_:_:interleaved:)`: six multiplies per row, token and
    /// super-block): eight integer accumulators, eight activation vectors and one row's quants and
    /// scales fit the 32 registers.
    @inline(__always)
    static func tile2x4(_ u0: UnsafeRawPointer, _ u1: UnsafeRawPointer, _ y: UnsafeRawPointer,
                                activationStride s: Int) -> (SIMD16<Int32>, SIMD16<Int32>) {
        var c00 = SIMD16<Int32>(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00
        for n in 0..<2 {
            @inline(__always) func load(_ t: Int, _ half: Int) -> SIMD64<Int8> {
                y.loadUnaligned(fromByteOffset: t &* s &+ Q8K.quantsOffset &+ 128 &* n &+ 64 &* half, as: SIMD64<Int8>.self)
            }
            let y0 = load(0, 0), y1 = load(1, 0), y2 = load(2, 0), y3 = load(3, 0)
            let z0 = load(0, 1), z1 = load(1, 1), z2 = load(2, 1), z3 = load(3, 1)
            let (p0, r0, scale0) = ScaledRuns.runQuad(n, of: u0)
            c00 = ByteDot.scaledLanes(c00, p0, y0, r0, z0, interleaved: scale0)
            c01 = ByteDot.scaledLanes(c01, p0, y1, r0, z1, interleaved: scale0)
            c02 = ByteDot.scaledLanes(c02, p0, y2, r0, z2, interleaved: scale0)
            c03 = ByteDot.scaledLanes(c03, p0, y3, r0, z3, interleaved: scale0)
            let (p1, r1, scale1) = ScaledRuns.runQuad(n, of: u1)
            c10 = ByteDot.scaledLanes(c10, p1, y0, r1, z0, interleaved: scale1)
            c11 = ByteDot.scaledLanes(c11, p1, y1, r1, z1, interleaved: scale1)
            c12 = ByteDot.scaledLanes(c12, p1, y2, r1, z2, interleaved: scale1)
            c13 = ByteDot.scaledLanes(c13, p1, y3, r1, z3, interleaved: scale1)
        }
        @inline(__always) func fold(_ a: SIMD16<Int32>, _ b: SIMD16<Int32>, _ c: SIMD16<Int32>,
                                    _ d: SIMD16<Int32>) -> SIMD16<Int32> {
            Lanes.fold(Lanes.fold(a, b, width: 8), Lanes.fold(c, d, width: 8), width: 4)
        }
        return (fold(c00, c01, c02, c03), fold(c10, c11, c12, c13))
    }
}
