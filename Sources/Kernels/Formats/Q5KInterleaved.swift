/// Q5_K interleaved (`InterleavedSuperBlock`): Q4_K interleaved (`Q4KInterleaved`) with each
/// quant's fifth bit:
///
///     offset  0  d, dmin, scales[12] as Q5_K
///     offset 16  qh[32]   bit t of qh[4i + k]: fifth bit of run t's lane i, byte k
///     offset 48  qs[128]  the low four bits, as Q4_K interleaved's
enum Q5KInterleaved: InterleavedSuperBlock {
    typealias Activation = Q8K
    static let weightsPerBlock = 256
    static let bytesPerBlock = 176
    static var fields: [BlockField] { Q5K.fields }
    static var foldsOffsets: Bool { false }

    static func interleave(_ source: UnsafeRawPointer, into destination: UnsafeMutableRawPointer, count: Int) {
        for b in 0..<(count / 256) {
            let from = source + b &* 176, to = destination + b &* 176
            to.copyMemory(from: from, byteCount: 16)
            Q4KInterleaved.interleaveNibbles(from + 48, into: to + 48)
            // Bit i of the file's qh[w] is weight w of sub-block i; run t's lane i, byte k is weight
            // 4t + k of sub-block i.
            for i in 0..<8 {
                var bits: UInt32 = 0
                for t in 0..<8 {
                    let four = from.loadUnaligned(fromByteOffset: 16 &+ 4 &* t, as: UInt32.self)
                    bits |= ((four &>> UInt32(i)) & 0x0101_0101) &<< UInt32(t)
                }
                to.storeBytes(of: bits, toByteOffset: 16 &+ 4 &* i, as: UInt32.self)
            }
        }
    }

    /// Run t's five-bit quants.
    @inline(__always)
    private static func quants(_ block: UnsafeRawPointer, run t: Int) -> SIMD32<UInt8> {
        let high = block.loadUnaligned(fromByteOffset: 16, as: SIMD8<UInt32>.self)
        let fifth = unsafeBitCast(((high &>> UInt32(t)) & 0x0101_0101) &<< 4, to: SIMD32<UInt8>.self)
        return Q4KInterleaved.nibbles(block + 48, run: t) | fifth
    }

    static func dequantize(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        Q4KInterleaved.dequantize(src, dst, count: count, blockBytes: 176) { block, t in quants(block, run: t) }
    }

    @inline(__always)
    static func registers(_ x: UnsafeRawPointer) -> (runs: ScaledRuns, header: SuperBlockHeader) {
        Q4KInterleaved.registers(x) { t in quants(x, run: t) }
    }

    @inline(__always)
    static func lanes(_ block: UnsafeRawPointer, _ y: UnsafeRawPointer) -> SuperBlockLanes {
        Q4KInterleaved.lanes(block, y) { t in quants(block, run: t) }
    }
}
