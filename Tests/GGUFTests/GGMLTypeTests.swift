// Pins down the ggml type table: ids, printed names, block sizes and byte sizes.
import Testing
import GGUF

@Suite struct GGMLTypeTests {
    @Test func sizesMatchGGML() {
        // From ggml-common.h's static_asserts on each block struct.
        let expected: [GGMLType: (Int, Int)] = [
            .f32: (1, 4), .f16: (1, 2), .bf16: (1, 2), .f64: (1, 8), .i8: (1, 1), .i16: (1, 2), .i32: (1, 4), .i64: (1, 8),
            .q4_0: (32, 18), .q4_1: (32, 20), .q5_0: (32, 22), .q5_1: (32, 24), .q8_0: (32, 34), .q8_1: (32, 40),
            .q2_K: (256, 84), .q3_K: (256, 110), .q4_K: (256, 144), .q5_K: (256, 176), .q6_K: (256, 210), .q8_K: (256, 292),
            .iq2_xxs: (256, 66), .iq2_xs: (256, 74), .iq3_xxs: (256, 98), .iq1_s: (256, 50), .iq4_nl: (32, 18),
            .iq3_s: (256, 110), .iq2_s: (256, 82), .iq4_xs: (256, 136), .iq1_m: (256, 56),
            .tq1_0: (256, 54), .tq2_0: (256, 66), .mxfp4: (32, 17), .nvfp4: (64, 36), .q1_0: (128, 18),
        ]
        #expect(expected.count == GGMLType.allCases.count)
        for type in GGMLType.allCases {
            let (blockSize, bytes) = expected[type]!
            #expect(type.blockSize == blockSize, "\(type.name)")
            #expect(type.bytesPerBlock == bytes, "\(type.name)")
        }
    }

    @Test func idsAndNames() {
        #expect(GGMLType(rawValue: 12) == .q4_K && GGMLType.q4_K.name == "Q4_K")
        #expect(GGMLType(rawValue: 0)?.name == "F32")
        #expect(GGMLType(rawValue: 30)?.name == "BF16")
        #expect(GGMLType(rawValue: 16)?.name == "IQ2_XXS")
        #expect(GGMLType(rawValue: 39)?.name == "MXFP4")
        #expect(GGMLType(rawValue: 4) == nil && GGMLType(rawValue: 31) == nil)
        #expect(Set(GGMLType.allCases.map(\.name)).count == GGMLType.allCases.count)
    }

    @Test func byteCount() {
        #expect(GGMLType.q4_K.byteCount(elements: 512) == 288)
        #expect(GGMLType.f16.byteCount(elements: 3) == 6)
        #expect(GGMLType.f32.byteCount(elements: 0) == 0)
        #expect(GGMLType.q4_K.byteCount(elements: 100) == nil)
        #expect(GGMLType.f32.byteCount(elements: -4) == nil)
        #expect(GGMLType.f32.byteCount(elements: Int.max) == nil)
        #expect(GGMLType.q8_0.byteCount(elements: Int.max / 32 * 32) == nil)
    }
}
