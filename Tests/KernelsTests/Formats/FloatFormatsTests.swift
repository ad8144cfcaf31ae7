// F32, F16 and BF16 dot products agree with a scalar dot product over odd lengths.
import Testing
@testable import Kernels

struct FloatFormatsTests {
    @Test(arguments: [WeightFormat.f32, .f16, .bf16])
    func dotMatchesScalar(_ format: WeightFormat) {
        DotChecks.check(format, blocks: [1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 255, 257, 1000], seed: 0xF10A7)
    }

    @Test func bf16IsTheTopHalfOfAFloat() {
        let values: [Float] = [1, -2.5, 3.140625, 0, -0.0, .infinity, Float(bitPattern: 0x006C_0000)]
        let bytes = values.flatMap { v in withUnsafeBytes(of: UInt16(v.bitPattern >> 16)) { Array($0) } }
        #expect(WeightFormat.bf16.dequantize(bytes, count: values.count).map(\.bitPattern) == values.map(\.bitPattern))
    }
}
