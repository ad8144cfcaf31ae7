// Pins down the interleaved layouts (`WeightMatrix.interleaving(into:pool:)`): Q4_0, Q5_0 and Q8_0
// rows four at a time, Q4_K, Q5_K and Q6_K quants within each super-block. Every product, embedding row
// and row range equals the file-order matrix's, bit for bit.
import Kernels
import Testing
import TestSupport

@Suite struct InterleavedLayoutTests {
    /// A row-major matrix of random blocks and its interleaved copy, both alive for `body`.
    func withBoth(_ format: WeightFormat, rows: Int, columns: Int, seed: UInt64,
                  _ body: (WeightMatrix, WeightMatrix) -> Void) {
        var rng = SplitMix64(seed: seed)
        let bytes = TestData.row(format, count: rows * columns, &rng)
        bytes.withUnsafeBytes { plainBytes in
            let plain = WeightMatrix(base: plainBytes.baseAddress!, format: format, rows: rows, columns: columns)
            let copy = UnsafeMutableRawPointer.allocate(byteCount: plain.byteCount, alignment: 64)
            defer { copy.deallocate() }
            body(plain, plain.interleaving(into: copy))
        }
    }

    func products(_ m: WeightMatrix, _ x: [Float], tokens: Int, threads: Int) -> [Float] {
        var y = [Float](repeating: .nan, count: tokens * m.rows)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                Ops.matMul(m, xp.baseAddress!, yp.baseAddress!, tokens: tokens, scratch: ActivationScratch(),
                           pool: WorkerPool(threads: threads))
            }
        }
        return y
    }

    /// Decode (one token: four float chains at once) and prefill (the tile) over row counts with
    /// and without a row-major remainder, rows with and without a last partial eight-block run,
    /// and rows too long for the widened activation scales (more than 8192 weights).
    @Test(arguments: [WeightFormat.q4_0, .q5_0, .q8_0], [(rows: 37, columns: 352), (rows: 16, columns: 256),
                                                       (rows: 6, columns: 8224)])
    func productsEqualTheRowMajorMatrix(format: WeightFormat, shape: (rows: Int, columns: Int)) {
        withBoth(format, rows: shape.rows, columns: shape.columns, seed: 11) { plain, interleaved in
            #expect(interleaved.interleaved && !plain.interleaved)
            var rng = SplitMix64(seed: 12)
            for tokens in [1, 5] {
                let x = (0..<(tokens * shape.columns)).map { _ in Float.random(in: -1...1, using: &rng) }
                for threads in [1, 2, 3] {
                    let expected = products(plain, x, tokens: tokens, threads: 1)
                    #expect(products(interleaved, x, tokens: tokens, threads: threads) == expected,
                            "\(tokens) tokens, \(threads) threads")
                }
            }
        }
    }

    @Test(arguments: [WeightFormat.q4_0, .q5_0, .q8_0, .q4_K, .q5_K, .q6_K])
    func embeddingRowsEqualTheRowMajorMatrix(format: WeightFormat) {
        let columns = format.blockSize == 256 ? 512 : 96
        withBoth(format, rows: 11, columns: columns, seed: 13) { plain, interleaved in
            for r in 0..<11 {
                var a = [Float](repeating: .nan, count: columns), b = a
                plain.dequantizeRow(r, into: &a)
                interleaved.dequantizeRow(r, into: &b)
                #expect(a == b, "row \(r)")
            }
        }
    }

    /// A fused projection split into row ranges at groups of four (Phi-3's `attn_qkv`).
    @Test func rowRangesEqualTheRowMajorMatrix() {
        withBoth(.q8_0, rows: 22, columns: 64, seed: 14) { plain, interleaved in
            var rng = SplitMix64(seed: 15)
            let x = (0..<64).map { _ in Float.random(in: -1...1, using: &rng) }
            for range in [0..<8, 8..<20, 20..<22, 4..<22] {
                #expect(products(interleaved.rows(range), x, tokens: 1, threads: 2)
                        == products(plain.rows(range), x, tokens: 1, threads: 2), "rows \(range)")
            }
        }
    }

    /// The loader's copy, shared among a pool's threads, is the same bytes.
    @Test(arguments: [(WeightFormat.q5_0, 320), (.q4_K, 768), (.q5_K, 768), (.q6_K, 768)])
    func copyingOnThreadsGivesTheSameBytes(format: WeightFormat, columns: Int) {
        withBoth(format, rows: 43, columns: columns, seed: 16) { plain, interleaved in
            let copy = UnsafeMutableRawPointer.allocate(byteCount: plain.byteCount, alignment: 64)
            defer { copy.deallocate() }
            let threaded = plain.interleaving(into: copy, pool: WorkerPool(threads: 3))
            #expect(UnsafeRawBufferPointer(start: threaded.base, count: plain.byteCount).elementsEqual(
                UnsafeRawBufferPointer(start: interleaved.base, count: plain.byteCount)))
        }
    }

    @Test func whichFormatsInterleave() {
        for format in WeightFormat.allCases {
            let m = WeightMatrix(base: UnsafeRawPointer(bitPattern: 64)!, format: format, rows: 4,
                                 columns: format.blockSize * 8)
            #expect(m.isInterleavable == [.q4_0, .q5_0, .q8_0, .q4_K, .q5_K, .q6_K].contains(format), "\(format)")
            #expect(!m.interleavesActivations)
        }
    }

    /// Q4_K, Q5_K and Q6_K, interleaved: decode (one group per lane, one token) and prefill (the tile on
    /// stored runs, with edges of rows and tokens), against activations quantized interleaved.
    @Test(arguments: [WeightFormat.q4_K, .q5_K, .q6_K],
          [(rows: 37, columns: 512), (rows: 16, columns: 256), (rows: 6, columns: 1536)])
    func kQuantProductsEqualTheFileOrderMatrix(format: WeightFormat, shape: (rows: Int, columns: Int)) {
        withBoth(format, rows: shape.rows, columns: shape.columns, seed: 17) { plain, interleaved in
            #expect(interleaved.interleavesActivations && !plain.interleavesActivations)
            var rng = SplitMix64(seed: 18)
            for tokens in [1, 5, 16] {
                let x = (0..<(tokens * shape.columns)).map { _ in Float.random(in: -1...1, using: &rng) }
                for threads in [1, 2] {
                    let expected = products(plain, x, tokens: tokens, threads: 1)
                    #expect(products(interleaved, x, tokens: tokens, threads: threads) == expected,
                            "\(tokens) tokens, \(threads) threads")
                }
            }
        }
    }

    /// Interleaved Q8_K activations hold the same quants, scale and bsums, quant 32t + 4i + k of
    /// each block being quant 32i + 4t + k of the plain block (`InterleavedSuperBlock`'s order).
    @Test func interleavedActivationsAreThePlainQuantsTransposed() {
        var rng = SplitMix64(seed: 19)
        let x = (0..<768).map { _ in Float.random(in: -3...3, using: &rng) }
        var plain = [UInt8](repeating: 0, count: WeightFormat.q8_K.rowBytes(768)), interleaved = plain
        x.withUnsafeBufferPointer { xp in
            plain.withUnsafeMutableBytes { Quantize.row(xp.baseAddress!, count: 768, to: .q8_K, $0.baseAddress!) }
            interleaved.withUnsafeMutableBytes {
                Quantize.row(xp.baseAddress!, count: 768, to: .q8_K, $0.baseAddress!, interleaved: true)
            }
        }
        #expect(plain != interleaved)
        for b in 0..<3 {
            let block = 292 * b
            #expect(plain[block..<block + 4] == interleaved[block..<block + 4], "scale of block \(b)")
            #expect(plain[block + 260..<block + 292] == interleaved[block + 260..<block + 292], "bsums of block \(b)")
            for t in 0..<8 {
                for i in 0..<8 {
                    for k in 0..<4 {
                        #expect(interleaved[block + 4 + 32 * t + 4 * i + k] == plain[block + 4 + 32 * i + 4 * t + k])
                    }
                }
            }
        }
    }
}
