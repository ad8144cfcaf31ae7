// Pins down Ops.matMul: each output is exactly the format's row dot product, for any row tiling, token count and thread count.
import Kernels
import Testing

@Suite struct MatMulTests {
    /// Random weight bytes for `rows` rows with valid Float16 scales for the block formats used by models.
    static func randomMatrix(_ format: WeightFormat, rows: Int, columns: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<(rows * columns)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    @Test(arguments: [WeightFormat.f32, .q8_0], [1, 2])
    func matchesRowDots(format: WeightFormat, threads: Int) throws {
        let rows = 37, columns = 64, tokens = 5
        let floats = Self.randomMatrix(format, rows: rows, columns: columns, seed: 1)
        // Weights in `format`: F32 as is, Q8_0 through the Q8_0 quantizer.
        var weights = [UInt8](repeating: 0, count: rows * format.rowBytes(columns))
        floats.withUnsafeBufferPointer { f in
            weights.withUnsafeMutableBytes { w in
                for r in 0..<rows {
                    if format == .f32 {
                        UnsafeMutableRawPointer(w.baseAddress! + r * columns * 4)
                            .copyMemory(from: f.baseAddress! + r * columns, byteCount: columns * 4)
                    } else {
                        Quantize.row(f.baseAddress! + r * columns, count: columns, to: format, w.baseAddress! + r * format.rowBytes(columns))
                    }
                }
            }
        }
        let x = Self.randomMatrix(.f32, rows: tokens, columns: columns, seed: 2)
        var y = [Float](repeating: .nan, count: tokens * rows)
        let pool = WorkerPool(threads: threads)
        let scratch = ActivationScratch()
        weights.withUnsafeBytes { w in
            let matrix = WeightMatrix(base: w.baseAddress!, format: format, rows: rows, columns: columns)
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    Ops.matMul(matrix, xp.baseAddress!, yp.baseAddress!, tokens: tokens, scratch: scratch, pool: pool)
                }
            }
            // Expected: the activation quantized on its own, then Dot.dot row by row.
            let activation = format.activationFormat
            var quantized = [UInt8](repeating: 0, count: activation.rowBytes(columns))
            for t in 0..<tokens {
                x.withUnsafeBufferPointer { xp in
                    quantized.withUnsafeMutableBytes { q in
                        if activation == .f32 {
                            q.baseAddress!.copyMemory(from: xp.baseAddress! + t * columns, byteCount: columns * 4)
                        } else {
                            Quantize.row(xp.baseAddress! + t * columns, count: columns, to: activation, q.baseAddress!, style: .x86Runtime)
                        }
                    }
                }
                for r in 0..<rows {
                    let expected = quantized.withUnsafeBytes {
                        Dot.dot(format, w.baseAddress! + r * format.rowBytes(columns), $0.baseAddress!, count: columns)
                    }
                    #expect(y[t * rows + r] == expected, "token \(t) row \(r)")
                }
            }
        }
    }
}
