/// A format of 32-weight blocks `d·q` whose quants unpack to one signed byte each and whose
/// block starts with the fp16 scale d: Q4_0, Q5_0 and Q8_0. They all dot with Q8_0 activations
/// through the kernels in `SignedBlocks`.
protocol SignedBlockFormat: DotFormat where Activation == Q8_0 {
    /// The block's 32 quants as signed bytes (after any offset, e.g. q − 16), in weight order.
    static func quants(_ block: UnsafeRawPointer) -> SIMD32<Int8>
    /// For a format storing q + offset with 0 ≤ q + offset ≤ 128 (Q4_0: 8, Q5_0: 16), the offset;
    /// 0 for one storing signed quants (Q8_0).
    static var quantOffset: UInt8 { get }
    /// The block's 32 quants as stored, q + `quantOffset` (formats with an offset only).
    static func unsignedQuants(_ block: UnsafeRawPointer) -> SIMD32<UInt8>
    /// `tile` over `rows` (a multiple of four) rows of `rowBytes` stored interleaved
    /// (`RowAddressing.interleaved`). A requirement, so that each format's copy is specialized.
    static func interleavedTile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                                activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                                outputStride: Int)
}

extension SignedBlockFormat {
    static func dot(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, count: Int) -> Float {
        SignedBlocks.dot(Self.self, weights, activations, blocks: count / 32)
    }

    static func dots(_ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer, activationStride: Int, tokens: Int,
                     count: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int) {
        SignedBlocks.tile(Self.self, weights, .rowMajor(rowBytes: 0, blockBytes: bytesPerBlock), rows: 1, activations,
                          activationStride: activationStride, tokens: tokens, blocks: count / 32, into: out,
                          outputStride: outputStride)
    }

    static func tile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                     activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                     outputStride: Int) {
        SignedBlocks.tile(Self.self, weights, .rowMajor(rowBytes: rowBytes, blockBytes: bytesPerBlock), rows: rows,
                          activations, activationStride: activationStride, tokens: tokens, blocks: count / 32,
                          into: out, outputStride: outputStride)
    }

    static func interleavedTile(_ weights: UnsafeRawPointer, rowBytes: Int, rows: Int, _ activations: UnsafeRawPointer,
                                activationStride: Int, tokens: Int, count: Int, into out: UnsafeMutablePointer<Float>,
                                outputStride: Int) {
        precondition(rows % 4 == 0, "interleaved rows come in groups of four")
        SignedBlocks.tile(Self.self, weights, .interleaved(rowBytes: rowBytes, blockBytes: bytesPerBlock), rows: rows,
                          activations, activationStride: activationStride, tokens: tokens, blocks: count / 32,
                          into: out, outputStride: outputStride)
    }
}

/// Where a `SignedBlockFormat` matrix keeps block b of row r: rows one after another
/// (`rowMajor`), or in groups of four rows whose blocks alternate (`interleaved`: block b of
/// rows 4g…4g + 3, then block b + 1 of the same rows), so that decode reads four rows, each in
/// its own float chain, as one forward stream.
struct RowAddressing {
    /// Bytes from a group's row 0 to its row i (times i), from one group to the next, and from a
    /// row's block b to its block b + 1.
    let rowStride, groupStride, blockStride: Int

    static func rowMajor(rowBytes: Int, blockBytes: Int) -> RowAddressing {
        RowAddressing(rowStride: rowBytes, groupStride: 4 &* rowBytes, blockStride: blockBytes)
    }

    static func interleaved(rowBytes: Int, blockBytes: Int) -> RowAddressing {
        RowAddressing(rowStride: blockBytes, groupStride: 4 &* rowBytes, blockStride: 4 &* blockBytes)
    }

    /// Byte offset of row `r`'s first block.
    @inline(__always)
    func row(_ r: Int) -> Int { (r >> 2) &* groupStride &+ (r & 3) &* rowStride }
}

/// Row and tile kernels for `SignedBlockFormat`s against Q8_0 activations (ggml's
/// `ggml_vec_dot_q4_0_q8_0`, `_q5_0_q8_0`, `_q8_0_q8_0`): Σ_b d_w·d_a·Σ q·y.
///
/// Every (weight row, token) pair runs the same arithmetic in the same order: per block, the
/// eight lanes of `ByteDot.signedLanes` become floats and are added, times the float product
/// d_w·d_a, into one eight-lane accumulator, which is summed at the end. So a tile's results
/// equal the single-row `dot` bit for bit, and a token's logits never depend on what it was
/// batched with.
enum SignedBlocks {
    /// One weight row times one activation row, `nb` blocks.
    @inline(__always)
    static func dot<F: SignedBlockFormat>(_: F.Type, _ weights: UnsafeRawPointer, _ activations: UnsafeRawPointer,
                                         blocks nb: Int) -> Float {
        dot(F.self, weights, blockStride: F.bytesPerBlock, activations, blocks: nb, scales: BlockScales(activations))
    }

    /// `dot` with the activation's block scales from `da` and the row's blocks `stride` bytes
    /// apart: each block's scale product d_w·d_a is the same float wherever d_a comes from.
    @inline(__always)
    private static func dot<F: SignedBlockFormat, S: ActivationScales>(
        _: F.Type, _ weights: UnsafeRawPointer, blockStride stride: Int, _ activations: UnsafeRawPointer,
        blocks nb: Int, scales da: S
    ) -> Float {
        var acc = SIMD8<Float>()
        var b = 0
        while b &+ 8 <= nb {
            // Scales eight blocks at a time (one `vcvtph2ps` each side, see `loadHalves8`).
            let w = weights + b &* stride, a = activations + b &* 34
            let scales = eightScales(w, stride: stride, da, from: b)
            for k in 0..<8 { add(&acc, F.quants(w + k &* stride), activation(a, k), scales[k]) }
            b &+= 8
        }
        if b < nb {
            let (scales, skip) = lastScales(weights, stride: stride, da, blocks: nb, from: b)
            let w = weights + b &* stride, a = activations + b &* 34
            for k in 0..<(nb &- b) { add(&acc, F.quants(w + k &* stride), activation(a, k), scales[k &+ skip]) }
        }
        return acc.total
    }

    /// Four rows' `dot`s at once, rows `rowStride` bytes apart and each row's blocks `stride`
    /// apart: four independent float chains, each the same arithmetic in the same order as `dot`.
    /// A row's chain waits on each multiply-add (about 4.7 cycles per block on AMD Zen 4); with
    /// rows interleaved the four chains overlap and still read one forward stream.
    @inline(__always)
    private static func dot4<F: SignedBlockFormat, S: ActivationScales>(
        _: F.Type, _ weights: UnsafeRawPointer, rowStride: Int, blockStride stride: Int, _ activations: UnsafeRawPointer,
        blocks nb: Int, scales da: S
    ) -> SIMD4<Float> {
        var acc0 = SIMD8<Float>(), acc1 = acc0, acc2 = acc0, acc3 = acc0
        let w1 = weights + rowStride, w2 = weights + 2 &* rowStride, w3 = weights + 3 &* rowStride
        // A block's four rows against the same activations: for a format with an offset, each lane
        // is Σ (q + offset)·y − offset·Σ y, one `vpdpbusd` on the stored quants from the offset
        // term, which the four rows share, instead of the sign trick's three instructions.
        @inline(__always) func addBlock(_ acc: inout SIMD8<Float>, _ block: UnsafeRawPointer, _ y: SIMD32<Int8>,
                                        offsetLanes: SIMD8<Int32>, _ scale: Float) {
            let lanes = F.quantOffset == 0 ? ByteDot.signedLanes(F.quants(block), y)
                                           : ByteDot.lanes(offsetLanes, F.unsignedQuants(block), y)
            acc = acc.addingProduct(Lanes.floats(lanes), SIMD8(repeating: scale))
        }
        @inline(__always) func offsetLanes(_ y: SIMD32<Int8>) -> SIMD8<Int32> {
            F.quantOffset == 0 ? SIMD8() : SIMD8() &- ByteDot.lanes(SIMD8(), SIMD32(repeating: F.quantOffset), y)
        }
        var b = 0
        while b &+ 8 <= nb {
            let o = b &* stride, a = activations + b &* 34
            let s0 = eightScales(weights + o, stride: stride, da, from: b)
            let s1 = eightScales(w1 + o, stride: stride, da, from: b)
            let s2 = eightScales(w2 + o, stride: stride, da, from: b)
            let s3 = eightScales(w3 + o, stride: stride, da, from: b)
            for k in 0..<8 {
                let y = activation(a, k), ok = o &+ k &* stride, m = offsetLanes(y)
                addBlock(&acc0, weights + ok, y, offsetLanes: m, s0[k])
                addBlock(&acc1, w1 + ok, y, offsetLanes: m, s1[k])
                addBlock(&acc2, w2 + ok, y, offsetLanes: m, s2[k])
                addBlock(&acc3, w3 + ok, y, offsetLanes: m, s3[k])
            }
            b &+= 8
        }
        if b < nb {
            let (s0, skip) = lastScales(weights, stride: stride, da, blocks: nb, from: b)
            let s1 = lastScales(w1, stride: stride, da, blocks: nb, from: b).0
            let s2 = lastScales(w2, stride: stride, da, blocks: nb, from: b).0
            let s3 = lastScales(w3, stride: stride, da, blocks: nb, from: b).0
            let o = b &* stride, a = activations + b &* 34
            for k in 0..<(nb &- b) {
                let y = activation(a, k), ok = o &+ k &* stride, m = offsetLanes(y)
                addBlock(&acc0, weights + ok, y, offsetLanes: m, s0[k &+ skip])
                addBlock(&acc1, w1 + ok, y, offsetLanes: m, s1[k &+ skip])
                addBlock(&acc2, w2 + ok, y, offsetLanes: m, s2[k &+ skip])
                addBlock(&acc3, w3 + ok, y, offsetLanes: m, s3[k &+ skip])
            }
        }
        return SIMD4(acc0.total, acc1.total, acc2.total, acc3.total)
    }

    /// The row's block scales times the activation's, blocks `b..<b + 8` (`w` at block b).
    @inline(__always)
    private static func eightScales<S: ActivationScales>(_ w: UnsafeRawPointer, stride: Int, _ da: S,
                                                         from b: Int) -> SIMD8<Float> {
        loadHalves8(w, offset: 0, stride: stride) * da.eight(from: b)
    }

    /// The scales of a row's last n = nb − b < 8 blocks, from lane `skip` on: in a row of eight or
    /// more, those of its last eight blocks (lane by lane the same products as `halves` would
    /// give), so one wide load serves.
    @inline(__always)
    private static func lastScales<S: ActivationScales>(_ row: UnsafeRawPointer, stride: Int, _ da: S, blocks nb: Int,
                                                        from b: Int) -> (SIMD8<Float>, skip: Int) {
        let n = nb &- b, skip = nb >= 8 ? 8 &- n : 0
        let scales = skip > 0
            ? eightScales(row + (b &- skip) &* stride, stride: stride, da, from: b &- skip)
            : halves(row + b &* stride, stride: stride, count: n) * da.first(n)
        return (scales, skip)
    }

    /// Activation block k's 32 quants from `a`.
    @inline(__always)
    private static func activation(_ a: UnsafeRawPointer, _ k: Int) -> SIMD32<Int8> {
        a.loadUnaligned(fromByteOffset: k &* 34 &+ 2, as: SIMD32<Int8>.self)
    }

    /// A block's step of the float chain: its eight lanes as floats, times d_w·d_a, added.
    @inline(__always)
    private static func add(_ acc: inout SIMD8<Float>, _ x: SIMD32<Int8>, _ y: SIMD32<Int8>, _ scale: Float) {
        acc = acc.addingProduct(Lanes.floats(ByteDot.signedLanes(x, y)), SIMD8(repeating: scale))
    }

    /// Decode: `rows` weight rows times one activation row, each result `dot`'s. The activation's
    /// block scales are widened once for all the rows when they fit the stack buffer (rows up to
    /// 8192 weights): in `dot`, gathering the fp16 scales of both sides is a third of the
    /// instructions (cache-resident Q8_0 rows: 22.7 → 27.5 GB/s on one core). Interleaved rows
    /// go four at a time (`dot4`); row-major rows one after another, since four rows read side by
    /// side are four streams, which this machine's prefetchers do not follow (BENCHMARKS.md).
    @inline(__always)
    private static func decode<F: SignedBlockFormat>(
        _: F.Type, _ weights: UnsafeRawPointer, _ layout: RowAddressing, rows: Int, _ activations: UnsafeRawPointer,
        blocks nb: Int, into out: UnsafeMutablePointer<Float>
    ) {
        @inline(__always) func rowDots<S: ActivationScales>(_ scales: S) {
            if layout.blockStride == F.bytesPerBlock {
                for r in 0..<rows {
                    out[r] = dot(F.self, weights + layout.row(r), blockStride: layout.blockStride, activations,
                                 blocks: nb, scales: scales)
                }
            } else {
                for r in stride(from: 0, to: rows, by: 4) {
                    // The interleaved layout's strides as the format's constants, which the loop's
                    // addressing folds: `layout`'s run-time strides measured about 5 % slower in cache
                    // (Q4_0 17.3 against 18.2 GB/s, Q8_0 31.7 against 33.4).
                    let four = dot4(F.self, weights + layout.row(r), rowStride: F.bytesPerBlock,
                                    blockStride: 4 &* F.bytesPerBlock, activations, blocks: nb, scales: scales)
                    out[r] = four[0]; out[r &+ 1] = four[1]; out[r &+ 2] = four[2]; out[r &+ 3] = four[3]
                }
            }
        }
        guard nb &* 4 <= Scratch.bytes else { return rowDots(BlockScales(activations)) }
        Scratch.withBuffer { buffer in
            let widened = buffer.baseAddress!.bindMemory(to: Float.self, capacity: nb)
            let source = BlockScales(activations)
            var b = 0
            while b &+ 8 <= nb {
                UnsafeMutableRawPointer(widened + b).storeBytes(of: source.eight(from: b), as: SIMD8<Float>.self)
                b &+= 8
            }
            for k in b..<nb { widened[k] = loadHalf(activations, k &* 34) }
            rowDots(WidenedScales(widened))
        }
    }

    /// `rows` weight rows (laid out as `layout` says) times `tokens` activation rows
    /// (`activationStride` apart), `nb` blocks each: result (r, t) goes to `out[t·outputStride + r]`.
    ///
    /// Rows are taken four at a time: their quants are unpacked once into a stack buffer, eight
    /// blocks per pass, and each group of four tokens then runs a 4×4 register tile over them.
    @inline(__always)
    static func tile<F: SignedBlockFormat>(
        _: F.Type, _ weights: UnsafeRawPointer, _ layout: RowAddressing, rows: Int, _ activations: UnsafeRawPointer,
        activationStride: Int, tokens: Int, blocks nb: Int, into out: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if tokens == 1 {
            return decode(F.self, weights, layout, rows: rows, activations, blocks: nb, into: out)
        }
        // The tokens' fp16 scales as floats, block-major (block b of token t at b·tokens + t), so
        // `tile4x4` reads a quad's four with one load: copied as integers, then widened as one F16
        // row, sixteen at a time (one at a time, LLVM's `vpinsrw` chains each conversion onto the
        // last).
        let tokenScaleCount = rows >= 4 && tokens >= 4 ? nb &* tokens : 0
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: tokenScaleCount) { bits in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: tokenScaleCount) { floats in
                var tokenScales: UnsafePointer<Float>? = nil
                if tokenScaleCount > 0 {
                    let h = bits.baseAddress!, f = floats.baseAddress!
                    for t in 0..<tokens {
                        let a = activations + t &* activationStride
                        for b in 0..<nb {
                            h[b &* tokens &+ t] = a.loadUnaligned(fromByteOffset: b &* 34, as: UInt16.self)
                        }
                    }
                    F16.dequantize(UnsafeRawPointer(h), f, count: tokenScaleCount)
                    tokenScales = UnsafePointer(f)
                }
                var r = 0
                while r < rows {
                    let group = Swift.min(4, rows &- r)
                    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 4 &* tokens) { accumulators in
                        let acc = accumulators.baseAddress!
                        acc.initialize(repeating: SIMD8<Float>(), count: 4 &* tokens)
                        var b = 0
                        while b < nb {
                            let n = Swift.min(chunkBlocks, nb &- b)
                            chunk(F.self, weights + layout.row(r) + b &* layout.blockStride, layout, rows: group,
                                  activations + b &* 34, activationStride: activationStride, tokens: tokens, blocks: n,
                                  tokenScales: tokenScales.map { $0 + b &* tokens }, accumulators: acc)
                            b &+= n
                        }
                        for t in 0..<tokens {
                            let o = out + (t &* outputStride &+ r), sums = acc + t &* 4
                            if group == 4 {
                                // Two rows' reductions at a time (`halfTotals`: the same sums as `total`).
                                let first = SIMD16(lowHalf: sums[0], highHalf: sums[1]).halfTotals
                                let second = SIMD16(lowHalf: sums[2], highHalf: sums[3]).halfTotals
                                o[0] = first[0]; o[1] = first[8]; o[2] = second[0]; o[3] = second[8]
                            } else {
                                for i in 0..<group { o[i] = sums[i].total }
                            }
                        }
                    }
                    r &+= group
                }
            }
        }
    }

    /// Blocks unpacked per pass: four rows of them fill the 1 KiB stack buffer.
    static let chunkBlocks = Scratch.bytes / (4 * 32)

    /// Adds `n` blocks of up to four rows to the accumulators (`[token][4]`).
    @inline(__always)
    private static func chunk<F: SignedBlockFormat>(
        _: F.Type, _ weights: UnsafeRawPointer, _ layout: RowAddressing, rows: Int, _ activations: UnsafeRawPointer,
        activationStride: Int, tokens: Int, blocks n: Int, tokenScales: UnsafePointer<Float>?,
        accumulators acc: UnsafeMutablePointer<SIMD8<Float>>
    ) {
        withUnsafeTemporaryAllocation(byteCount: Scratch.bytes, alignment: Scratch.alignment) { buffer in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 &* chunkBlocks) { scaleBuffer in
                let q = buffer.baseAddress!, dw = scaleBuffer.baseAddress!
                // Quants of block k of row i at q + (k·4 + i)·32, its scale at dw[k·4 + i].
                for i in 0..<rows {
                    for k in 0..<n {
                        let block = weights + layout.row(i) + k &* layout.blockStride
                        q.storeBytes(of: F.quants(block), toByteOffset: (k &* 4 &+ i) &* 32, as: SIMD32<Int8>.self)
                        dw[k &* 4 &+ i] = loadHalf(block, 0)
                    }
                }
                var t = 0
                if rows == 4, let da = tokenScales {
                    let quads = tokens / 4
                    // First every block's sixteen scale products d_w·d_a for every quad of tokens
                    // (lane 4t + i: row i, token t), one wide multiply each, so that `tile4x4`
                    // broadcasts each straight from memory into its multiply-add: a scalar
                    // multiply and a register broadcast per row and token were a fifth of its
                    // loop's instructions.
                    withUnsafeTemporaryAllocation(of: SIMD16<Float>.self, capacity: quads &* n) { table in
                        let products = table.baseAddress!
                        for k in 0..<n {
                            let rows = UnsafeRawPointer(dw + k &* 4).loadUnaligned(as: SIMD4<Float>.self)
                            let twice = SIMD8(lowHalf: rows, highHalf: rows)
                            let rowLanes = SIMD16<Float>(lowHalf: twice, highHalf: twice)
                            for quad in 0..<quads {
                                let scales = UnsafeRawPointer(da + (k &* tokens &+ 4 &* quad))
                                    .loadUnaligned(as: SIMD4<Float>.self)
                                var tokenLanes = SIMD16<Float>()
                                for l in 0..<16 { tokenLanes[l] = scales[l >> 2] }
                                products[quad &* n &+ k] = rowLanes * tokenLanes
                            }
                        }
                        let scales = UnsafeRawPointer(products).assumingMemoryBound(to: Float.self)
                        while t &+ 4 <= tokens {
                            tile4x4(q, scales + (t / 4) &* n &* 16, activations + t &* activationStride,
                                    activationStride: activationStride, blocks: n, accumulators: acc + t &* 4)
                            t &+= 4
                        }
                    }
                }
                while t < tokens {
                    let a = activations + t &* activationStride
                    for i in 0..<rows {
                        var sum = acc[t &* 4 &+ i]
                        for k in 0..<n {
                            let x = q.loadUnaligned(fromByteOffset: (k &* 4 &+ i) &* 32, as: SIMD32<Int8>.self)
                            let y = a.loadUnaligned(fromByteOffset: k &* 34 &+ 2, as: SIMD32<Int8>.self)
                            let scale = dw[k &* 4 &+ i] * loadHalf(a, k &* 34)
                            sum = sum.addingProduct(Lanes.floats(ByteDot.signedLanes(x, y)), SIMD8(repeating: scale))
                        }
                        acc[t &* 4 &+ i] = sum
                    }
                    t &+= 1
                }
            }
        }
    }

    /// Four unpacked rows times four tokens over `n` blocks, sixteen accumulators in registers;
    /// `scales` holds each block's sixteen products d_w·d_a (row i, token t at 16k + 4t + i).
    @inline(__always)
    private static func tile4x4(_ q: UnsafeRawPointer, _ scales: UnsafePointer<Float>, _ a: UnsafeRawPointer,
                                activationStride: Int, blocks n: Int,
                                accumulators acc: UnsafeMutablePointer<SIMD8<Float>>) {
        let s = activationStride
        var c00 = acc[0], c01 = acc[1], c02 = acc[2], c03 = acc[3]
        var c10 = acc[4], c11 = acc[5], c12 = acc[6], c13 = acc[7]
        var c20 = acc[8], c21 = acc[9], c22 = acc[10], c23 = acc[11]
        var c30 = acc[12], c31 = acc[13], c32 = acc[14], c33 = acc[15]
        for k in 0..<n {
            let x0 = q.loadUnaligned(fromByteOffset: (k &* 4) &* 32, as: SIMD32<Int8>.self)
            let x1 = q.loadUnaligned(fromByteOffset: (k &* 4 &+ 1) &* 32, as: SIMD32<Int8>.self)
            let x2 = q.loadUnaligned(fromByteOffset: (k &* 4 &+ 2) &* 32, as: SIMD32<Int8>.self)
            let x3 = q.loadUnaligned(fromByteOffset: (k &* 4 &+ 3) &* 32, as: SIMD32<Int8>.self)
            let m0 = ByteDot.magnitude(x0), m1 = ByteDot.magnitude(x1)
            let m2 = ByteDot.magnitude(x2), m3 = ByteDot.magnitude(x3)
            let d = scales + k &* 16
            @inline(__always)
            func step(_ c: inout SIMD8<Float>, _ m: SIMD32<UInt8>, _ x: SIMD32<Int8>, _ y: SIMD32<Int8>, _ scale: Float) {
                let p = ByteDot.lanes(SIMD8(), m, ByteDot.applyingSign(of: x, to: y))
                c = c.addingProduct(Lanes.floats(p), SIMD8(repeating: scale))
            }
            @inline(__always)
            func token(_ t: Int, _ c0: inout SIMD8<Float>, _ c1: inout SIMD8<Float>, _ c2: inout SIMD8<Float>,
                       _ c3: inout SIMD8<Float>) {
                let y = a.loadUnaligned(fromByteOffset: t &* s &+ k &* 34 &+ 2, as: SIMD32<Int8>.self)
                let o = 4 &* t
                step(&c0, m0, x0, y, d[o])
                step(&c1, m1, x1, y, d[o &+ 1])
                step(&c2, m2, x2, y, d[o &+ 2])
                step(&c3, m3, x3, y, d[o &+ 3])
            }
            token(0, &c00, &c01, &c02, &c03)
            token(1, &c10, &c11, &c12, &c13)
            token(2, &c20, &c21, &c22, &c23)
            token(3, &c30, &c31, &c32, &c33)
        }
        acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03
        acc[4] = c10; acc[5] = c11; acc[6] = c12; acc[7] = c13
        acc[8] = c20; acc[9] = c21; acc[10] = c22; acc[11] = c23
        acc[12] = c30; acc[13] = c31; acc[14] = c32; acc[15] = c33
    }

    /// `count` (< 8) fp16 values `stride` bytes apart, widened; the other lanes 0.
    @inline(__always)
    fileprivate static func halves(_ p: UnsafeRawPointer, stride: Int, count: Int) -> SIMD8<Float> {
        var v = SIMD8<Float>()
        for k in 0..<count { v[k] = loadHalf(p, k &* stride) }
        return v
    }
}

/// Where a row dot gets the activation's Q8_0 block scales as floats.
private protocol ActivationScales {
    /// Blocks `block..<block + 8`.
    func eight(from block: Int) -> SIMD8<Float>
    /// Blocks `0..<n` (n < 8); the other lanes 0.
    func first(_ n: Int) -> SIMD8<Float>
}

/// Read from the Q8_0 blocks themselves.
private struct BlockScales: ActivationScales {
    let blocks: UnsafeRawPointer
    init(_ blocks: UnsafeRawPointer) { self.blocks = blocks }

    @inline(__always)
    func eight(from block: Int) -> SIMD8<Float> { loadHalves8(blocks + block &* 34, offset: 0, stride: 34) }

    @inline(__always)
    func first(_ n: Int) -> SIMD8<Float> { SignedBlocks.halves(blocks, stride: 34, count: n) }
}

/// Widened once into floats, for many rows.
private struct WidenedScales: ActivationScales {
    let floats: UnsafePointer<Float>
    init(_ floats: UnsafeMutablePointer<Float>) { self.floats = UnsafePointer(floats) }

    @inline(__always)
    func eight(from block: Int) -> SIMD8<Float> { UnsafeRawPointer(floats + block).loadUnaligned(as: SIMD8<Float>.self) }

    @inline(__always)
    func first(_ n: Int) -> SIMD8<Float> {
        var v = SIMD8<Float>()
        for k in 0..<n { v[k] = floats[k] }
        return v
    }
}
