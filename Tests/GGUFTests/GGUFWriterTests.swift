// Pins down that writer → reader round-trips every value type, layout option and tensor exactly.
import Foundation
import Testing
@testable import GGUF

@Suite struct GGUFWriterTests {
    static let everyValue: [(String, GGUFValue)] = [
        ("u8", .uint8(200)), ("i8", .int8(-100)), ("u16", .uint16(60000)), ("i16", .int16(-30000)),
        ("u32", .uint32(4_000_000_000)), ("i32", .int32(-2_000_000_000)), ("f32", .float32(-1.5e-7)),
        ("bool.true", .bool(true)), ("bool.false", .bool(false)),
        ("str", .string("héllo 🙂")), ("str.empty", .string("")),
        ("u64", .uint64(.max)), ("i64", .int64(.min)), ("f64", .float64(.pi)),
        ("f32.inf", .float32(-.infinity)),
        ("a.u8", .array(.uint8s([0, 255]))), ("a.i8", .array(.int8s([-128, 127]))),
        ("a.u16", .array(.uint16s([1, 65535]))), ("a.i16", .array(.int16s([-32768, 5]))),
        ("a.u32", .array(.uint32s([7, .max]))), ("a.i32", .array(.int32s([.min, 0, .max]))),
        ("a.f32", .array(.float32s([1, -2.25, .greatestFiniteMagnitude]))),
        ("a.bool", .array(.bools([true, false, true]))),
        ("a.str", .array(.strings(["", "a", "Ġthe", "日本"]))),
        ("a.u64", .array(.uint64s([0, .max]))), ("a.i64", .array(.int64s([.min, -1]))),
        ("a.f64", .array(.float64s([0.1, -1e300]))),
        ("a.empty.str", .array(.strings([]))), ("a.empty.f64", .array(.float64s([]))),
        ("a.nested", .array(.arrays([.int32s([1, 2, 3]), .strings(["x", "y"]), .arrays([.bools([true])]), .uint8s([])]))),
        ("a.nested.empty", .array(.arrays([]))),
    ]

    @Test(arguments: [UInt32(2), 3])
    func everyValueTypeRoundTrips(version: UInt32) throws {
        var writer = GGUFWriter(version: version)
        for (key, value) in Self.everyValue { writer.set(key, value) }
        let file = try GGUFFile(bytes: writer.serialized())
        #expect(file.version == version)
        #expect(file.metadata.keys == Self.everyValue.map(\.0))
        for (key, value) in Self.everyValue {
            #expect(file.metadata[key] == value, "\(key)")
        }
        #expect(file.tensors.isEmpty)
        #expect(file.alignment == 32)
    }

    @Test func nanRoundTripsBitForBit() throws {
        let nan = Float(bitPattern: 0x7FC0_1234)
        var writer = GGUFWriter()
        writer.set("nan", .float32(nan))
        writer.set("nans", .array(.float64s([Double(bitPattern: 0x7FF8_0000_0000_0042)])))
        let file = try GGUFFile(bytes: writer.serialized())
        guard case .float32(let read) = file.metadata["nan"],
              case .array(.float64s(let reads)) = file.metadata["nans"] else {
            Issue.record("wrong types")
            return
        }
        #expect(read.bitPattern == 0x7FC0_1234)
        #expect(reads.map(\.bitPattern) == [0x7FF8_0000_0000_0042])
    }

    @Test(arguments: [1, 8, 32, 64, 4096])
    func tensorsRoundTripAtAnyAlignment(alignment: Int) throws {
        let writer = try SampleFiles.smallWriter(alignment: alignment)
        let file = try GGUFFile(bytes: writer.serialized())
        #expect(file.alignment == alignment)
        #expect(file.dataOffset % alignment == 0)
        #expect(file.metadata["general.alignment"] == (alignment == 32 ? nil : .uint32(UInt32(alignment))))
        #expect(file.tensors.map(\.name) == ["a.weight", "b.weight", "c.weight"])
        #expect(file.tensors.map(\.type) == [.f32, .q8_0, .q4_K])
        #expect(file.tensors.map(\.dimensions) == [[4, 2], [32, 3], [256]])
        #expect(file.tensors.map(\.elementCount) == [8, 96, 256])
        for (written, read) in zip(writer.tensors, file.tensors) {
            #expect(read.offset == file.dataOffset + written.relativeOffset)
            #expect((read.offset - file.dataOffset) % alignment == 0)
            #expect(read.byteCount == written.bytes.count)
            #expect(Array(file.bytes(of: read)) == written.bytes)
            #expect(file.tensor(named: read.name) == read)
        }
        #expect(file.tensor(named: "missing") == nil)
    }

    @Test func everyTensorTypeRoundTrips() throws {
        var writer = GGUFWriter()
        for type in GGMLType.allCases {
            let dims = [type.blockSize * 2, 3]
            let bytes = SampleFiles.pattern(try #require(type.byteCount(elements: dims[0] * 3)), seed: UInt8(type.rawValue))
            try writer.addTensor(name: type.name, type: type, dimensions: dims, bytes: bytes)
        }
        let file = try GGUFFile(bytes: writer.serialized())
        #expect(file.tensors.map(\.type) == GGMLType.allCases)
        for tensor in file.tensors {
            #expect(Array(file.bytes(of: tensor)) == SampleFiles.pattern(tensor.byteCount, seed: UInt8(tensor.type.rawValue)))
        }
    }

    @Test func setReplacesInPlaceAndKeepsOrder() throws {
        var writer = GGUFWriter()
        writer.set("b", .uint8(1))
        writer.set("a", .uint8(2))
        writer.set("b", .string("again"))
        let file = try GGUFFile(bytes: writer.serialized())
        #expect(file.metadata.keys == ["b", "a"])
        #expect(file.metadata["b"] == .string("again"))
    }

    @Test func customAlignmentIsWrittenAsUInt32() throws {
        var writer = GGUFWriter(alignment: 64)
        writer.set("general.alignment", .uint32(64))  // same value: accepted, not duplicated
        writer.set("x", .bool(true))
        let file = try GGUFFile(bytes: writer.serialized())
        #expect(file.metadata.keys == ["general.alignment", "x"])
        #expect(file.metadata["general.alignment"] == .uint32(64))
    }

    @Test func headerLayoutMatchesTheSpec() {
        var writer = GGUFWriter(version: 2)
        writer.set("k", .uint8(7))
        let bytes = writer.serialized()
        let expected: [UInt8] = Array("GGUF".utf8) + [2, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0, 0, 0, 0, 0]
            + [1, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "k")] + [0, 0, 0, 0] + [7]
        #expect(Array(bytes.prefix(expected.count)) == expected)
        #expect(bytes.count == 64)  // 38 header bytes padded to 32
        #expect(bytes[expected.count...].allSatisfy { $0 == 0 })
    }

    @Test func addTensorRejectsBadInput() throws {
        var writer = GGUFWriter()
        try writer.addTensor(name: "t", type: .f32, dimensions: [2], bytes: [UInt8](repeating: 0, count: 8))
        #expect(throws: GGUFError.duplicateTensor("t")) {
            try writer.addTensor(name: "t", type: .f32, dimensions: [2], bytes: [UInt8](repeating: 0, count: 8))
        }
        #expect(throws: GGUFError.badDimensions(tensor: "u", dimensions: [])) {
            try writer.addTensor(name: "u", type: .f32, dimensions: [], bytes: [])
        }
        #expect(throws: GGUFError.badDimensions(tensor: "u", dimensions: [1, 1, 1, 1, 1])) {
            try writer.addTensor(name: "u", type: .f32, dimensions: [1, 1, 1, 1, 1], bytes: [0, 0, 0, 0])
        }
        #expect(throws: GGUFError.badDimensions(tensor: "u", dimensions: [4, 0])) {
            try writer.addTensor(name: "u", type: .f32, dimensions: [4, 0], bytes: [])
        }
        #expect(throws: GGUFError.badDimensions(tensor: "u", dimensions: [1 << 40, 1 << 40])) {
            try writer.addTensor(name: "u", type: .f32, dimensions: [1 << 40, 1 << 40], bytes: [])
        }
        #expect(throws: GGUFError.rowNotBlockAligned(tensor: "u", rowLength: 100, type: .q4_K)) {
            try writer.addTensor(name: "u", type: .q4_K, dimensions: [100], bytes: [])
        }
        #expect(throws: GGUFError.tensorSizeMismatch(tensor: "u", expected: 144, actual: 143)) {
            try writer.addTensor(name: "u", type: .q4_K, dimensions: [256], bytes: [UInt8](repeating: 0, count: 143))
        }
        #expect(writer.tensors.count == 1)
    }

    @Test func writeToPathIsAtomicAndMatchesSerialized() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-writer-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.gguf").path
        let writer = try SampleFiles.smallWriter(alignment: 64)

        try writer.write(to: path)
        try writer.write(to: path)  // replacing an existing file works too
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(writer.serialized()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.gguf"])
        let file = try GGUFFile(contentsOf: path)
        #expect(Array(file.bytes(of: file.tensors[1])) == writer.tensors[1].bytes)
    }

    @Test func writeFailureLeavesNothingBehind() throws {
        let path = "/nonexistent-dir-\(UUID())/model.gguf"
        #expect {
            try GGUFWriter().write(to: path)
        } throws: { error in
            guard case .writeFailed(let failedPath, let reason)? = error as? GGUFError else { return false }
            return failedPath == path && !reason.isEmpty
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func deferredTensorsWriteTheSameFile() throws {
        let eager = try SampleFiles.smallWriter(alignment: 32)
        var deferred = GGUFWriter()
        for key in eager.metadata.keys { deferred.set(key, eager.metadata[key]!) }
        for tensor in eager.tensors {
            let bytes = tensor.bytes
            try deferred.addTensor(name: tensor.name, type: tensor.type, dimensions: tensor.dimensions,
                                   byteCount: bytes.count) { bytes }
        }
        #expect(deferred.serialized() == eager.serialized())
        #expect(throws: GGUFError.tensorSizeMismatch(tensor: "short", expected: 8, actual: 4)) {
            try deferred.addTensor(name: "short", type: .f32, dimensions: [2], byteCount: 4) { [0, 0, 0, 0] }
        }
    }
}
