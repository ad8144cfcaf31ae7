// Each format's size check (its layout fields add up to bytesPerBlock), ggml type ids, row sizes and activation pairing.
import Testing
@testable import Kernels

struct WeightFormatTests {
    @Test(arguments: WeightFormat.allCases)
    func layoutAddsUpToBlockSize(_ format: WeightFormat) {
        let block = format.block
        #expect(block.fields.reduce(0) { $0 + $1.bytes } == format.bytesPerBlock)
        #expect(block.weightsPerBlock == format.blockSize)
        #expect(block.bytesPerBlock == format.bytesPerBlock)
    }

    @Test func sizesFollowGGMLCommon() {
        let expected: [WeightFormat: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2),
            .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22), .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 36),
            .q2_K: (256, 84), .q3_K: (256, 110), .q4_K: (256, 144), .q5_K: (256, 176), .q6_K: (256, 210), .q8_K: (256, 292),
        ]
        for format in WeightFormat.allCases {
            #expect(expected[format]! == (format.blockSize, format.bytesPerBlock), "\(format)")
        }
        #expect(WeightFormat.q4_K.rowBytes(4864) == 19 * 144)
        #expect(WeightFormat.f16.rowBytes(896) == 1792)
    }

    @Test func rawValuesAreGGMLTypeIDs() {
        #expect(WeightFormat(rawValue: 12) == .q4_K)
        #expect(WeightFormat(rawValue: 30) == .bf16)
        #expect(WeightFormat(rawValue: 4) == nil)
    }

    @Test func activationFormatsAreGGMLVecDotTypes() {
        for format in WeightFormat.allCases {
            let expected: WeightFormat = switch format {
            case .f32, .f16, .bf16: .f32
            case .q4_0, .q5_0, .q8_0: .q8_0
            case .q4_1, .q5_1, .q8_1: .q8_1
            default: .q8_K
            }
            #expect(format.activationFormat == expected, "\(format)")
        }
    }
}
