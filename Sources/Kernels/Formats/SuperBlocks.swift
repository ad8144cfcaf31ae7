/// A K-quant whose super-block (256 weights) is unpacked into registers once and then dotted
/// with one or several tokens' Q8_K blocks: Q4_K and Q6_K, the K-quants of the common
/// `Q4_K_M` files.
///
/// A super-block's product with a token is computed in two steps that every kernel shares: the
/// integer sums of its eight scaled runs (`ScaledRuns.sums`, exact, so any order gives the same
/// lanes), then the float step, `finish` (or `finishPair`: the same arithmetic, lane for lane, for
/// two tokens at once). So the row dot, the many-token `dots` and the rows × tokens `tile` agree
/// bit for bit.
protocol RegisterSuperBlock: DotFormat where Activation == Q8K {
    /// What `finish` needs of a super-block besides its runs: its scales and mins.
    associatedtype Header
    /// A super-block's quants and scales in registers.
    static func registers(_ block: UnsafeRawPointer) -> (runs: ScaledRuns, header: Header)
    /// Adds the super-block's product with one token's Q8_K block to `acc` and `offsets` (the
    /// min/offset terms, kept apart as llama.cpp does), given `isum`, the runs' `sums` against the
    /// block's quants, and the block's scale and sums `y`. The lanes of `acc` and `offsets` add up
    /// to the row's dot product.
    static func finish(_ header: Header, _ isum: SIMD8<Int32>, _ y: Q8KTerms, into acc: inout SIMD8<Float>,
                       offsets: inout SIMD8<Float>)

    /// `finish` for two tokens at once, the first in lanes 0..<8 of `isum`, `acc` and `offsets`,
    /// the second in lanes 8..<16: lane for lane the same arithmetic, in half the instructions.
    static func finishPair(_ header: Header, _ isum: SIMD16<Int32>, _ y: Q8KPairTerms,
                           into acc: inout SIMD16<Float>, offsets: inout SIMD16<Float>)
}

extension RegisterSuperBlock {
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        var acc = SIMD8<Float>(), offsets = acc
        for b in 0..<(count / 256) {
            let (runs, header) = registers(weights + b &* bytesPerBlock)
            let y = activations + b &* 292
            finish(header, runs.sums(y + 4), Q8KTerms(y), into: &acc, offsets: &offsets)
        }
        return acc.total + offsets.total
    }

    /// Four tokens at a time share each unpacked super-block.
    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        let s = activationStride
        var t = 0
        while t &+ 4 <= tokens {
            let a = activations + t &* s
            var acc0 = SIMD8<Float>(), acc1 = acc0, acc2 = acc0, acc3 = acc0
            var off0 = acc0, off1 = acc0, off2 = acc0, off3 = acc0
            for b in 0..<(count / 256) {
                let (runs, header) = registers(weights + b &* bytesPerBlock)
                let y = a + b &* 292
                finish(header, runs.sums(y + 4), Q8KTerms(y), into: &acc0, offsets: &off0)
                finish(header, runs.sums(y + s + 4), Q8KTerms(y + s), into: &acc1, offsets: &off1)
                finish(header, runs.sums(y + 2 &* s + 4), Q8KTerms(y + 2 &* s), into: &acc2, offsets: &off2)
                finish(header, runs.sums(y + 3 &* s + 4), Q8KTerms(y + 3 &* s), into: &acc3, offsets: &off3)
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
            // super-block (`runQuad` loads 64 bytes at a time; unaligned, each load would span two lines),
            // and one per quad of tokens for the float sums of 4 rows × 4 tokens (8 × 128 bytes),
            // found through `sums[quad]`.
            Scratch.withBuffers { rowBuffers in
                Scratch.withBuffers { sumsLow in
                    Scratch.withBuffers { sumsHigh in
                        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<PairSums>.self, capacity: maxTokenQuads) { table in
                            let unpacked = (rowBuffers.0.alignedTo64, rowBuffers.1.alignedTo64,
                                            rowBuffers.2.alignedTo64, rowBuffers.3.alignedTo64)
                            let sums = table.baseAddress!
                            @inline(__always) func put(_ n: Int, _ b: UnsafeMutableRawBufferPointer) {
                                sums[n] = b.baseAddress!.bindMemory(to: PairSums.self, capacity: 8)
                            }
                            put(0, sumsLow.0); put(1, sumsLow.1); put(2, sumsLow.2); put(3, sumsLow.3)
                            put(4, sumsHigh.0); put(5, sumsHigh.1); put(6, sumsHigh.2); put(7, sumsHigh.3)
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

    /// Token quads that share one unpacking of four rows' super-block (each quad's sums take one
    /// 1 KiB stack buffer).
    private static var maxTokenQuads: Int { 8 }

    /// Four rows times one to eight quads of tokens over every super-block: result (row i, token
    /// k) to `out[k·outputStride + i]`. The float sums of token quad n, row i and tokens 2p, 2p + 1
    /// are at `sums[n][2i + p]`.
    @inline(__always)
    private static func quadTile(
        _ weights: UnsafeRawPointer, rowBytes: Int, _ a: UnsafeRawPointer, activationStride s: Int, tokenQuads: Int,
        count: Int,
        unpacked: (UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer, UnsafeMutableRawPointer),
        sums: UnsafeMutablePointer<UnsafeMutablePointer<PairSums>>,
        into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        @inline(__always) func quadSums(_ n: Int) -> UnsafeMutablePointer<PairSums> { sums[n] }
        for n in 0..<tokenQuads { quadSums(n).initialize(repeating: PairSums(), count: 8) }
        let (u0, u1, u2, u3) = unpacked
        for b in 0..<(count / 256) {
            let w = weights + b &* bytesPerBlock
            @inline(__always) func unpack(_ i: Int, _ to: UnsafeMutableRawPointer) -> Header {
                let (runs, header) = registers(w + i &* rowBytes)
                runs.store(to: to)
                return header
            }
            let h0 = unpack(0, u0), h1 = unpack(1, u1), h2 = unpack(2, u2), h3 = unpack(3, u3)
            for n in 0..<tokenQuads {
                let y = a + (4 &* n &* s &+ b &* 292), f = quadSums(n)
                let terms = (Q8KPairTerms(Q8KTerms(y), Q8KTerms(y + s)),
                             Q8KPairTerms(Q8KTerms(y + 2 &* s), Q8KTerms(y + 3 &* s)))
                tile2x4(u0, h0, u1, h1, y, activationStride: s, terms, sums: f)
                tile2x4(u2, h2, u3, h3, y, activationStride: s, terms, sums: f + 4)
            }
        }
        for n in 0..<tokenQuads {
            let f = quadSums(n)
            for i in 0..<4 {
                for p in 0..<2 {
                    let pair = f[2 &* i &+ p], t = 4 &* n &+ 2 &* p
                    let sums = pair.acc.halfTotals + pair.offsets.halfTotals
                    out[t &* outputStride &+ i] = sums[0]
                    out[(t &+ 1) &* outputStride &+ i] = sums[8]
                }
            }
        }
    }

    /// One super-block of two unpacked rows times four tokens' Q8_K blocks (`y`, `y + s`, …),
    /// added to the float sums `sums[2i + p]` of row i and tokens 2p, 2p + 1. Four runs at a time on 512-bit
    /// registers (`ByteDot.scaledLanes(_:_:_:_:_:interleaved:)`: six multiplies per row, token and
    /// super-block instead of eight): eight integer
    /// accumulators, eight activation vectors and one row's quants and scales fit the 32 registers.
    @inline(__always)
    private static func tile2x4(_ u0: UnsafeRawPointer, _ h0: Header, _ u1: UnsafeRawPointer, _ h1: Header,
                                _ y: UnsafeRawPointer, activationStride s: Int,
                                _ terms: (Q8KPairTerms, Q8KPairTerms), sums: UnsafeMutablePointer<PairSums>) {
        var c00 = SIMD16<Int32>(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00
        for n in 0..<2 {
            @inline(__always) func load(_ t: Int, _ half: Int) -> SIMD64<Int8> {
                y.loadUnaligned(fromByteOffset: t &* s &+ 4 &+ 128 &* n &+ 64 &* half, as: SIMD64<Int8>.self)
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
        // Each token's accumulator holds its even runs in lanes 0..<8 and its odd runs in 8..<16;
        // two tokens' halves added crosswise give both tokens' `sums` lanes in one vector.
        @inline(__always)
        func add(_ h: Header, _ a: SIMD16<Int32>, _ b: SIMD16<Int32>, _ t: Q8KPairTerms,
                 _ f: UnsafeMutablePointer<PairSums>) {
            let isum = SIMD16(lowHalf: a.lowHalf, highHalf: b.lowHalf) &+ SIMD16(lowHalf: a.highHalf, highHalf: b.highHalf)
            finishPair(h, isum, t, into: &f.pointee.acc, offsets: &f.pointee.offsets)
        }
        add(h0, c00, c01, terms.0, sums); add(h0, c02, c03, terms.1, sums + 1)
        add(h1, c10, c11, terms.0, sums + 2); add(h1, c12, c13, terms.1, sums + 3)
    }
}

/// What the K-quants' float step needs of a Q8_K activation block besides its quants: its scale,
/// broadcast, and its 16 bsums.
struct Q8KTerms {
    var d: SIMD8<Float>
    var sums: SIMD16<Int16>

    @inline(__always)
    init(_ y: UnsafeRawPointer) {
        d = SIMD8(repeating: y.loadUnaligned(as: Float.self))
        sums = y.loadUnaligned(fromByteOffset: 260, as: SIMD16<Int16>.self)
    }
}

/// Two tokens' `Q8KTerms` side by side (lanes 0..<8 and 8..<16), for `finishPair`.
struct Q8KPairTerms {
    var d: SIMD16<Float>
    var sums: SIMD32<Int16>

    @inline(__always)
    init(_ a: Q8KTerms, _ b: Q8KTerms) {
        d = SIMD16(lowHalf: a.d, highHalf: b.d)
        sums = SIMD32(lowHalf: a.sums, highHalf: b.sums)
    }
}

/// The float accumulators of one row and two tokens (lanes 0..<8 and 8..<16) in
/// `RegisterSuperBlock.tile`.
struct PairSums {
    var acc = SIMD16<Float>(), offsets = SIMD16<Float>()
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
}
