// Pins down safetensors parsing: tensors and metadata read in place, every malformed header
// rejected with its own one-line error, and random damage never crashing the parser.
import Foundation
import GGUF
import Models
import TestSupport
import Testing

@Suite struct SafetensorsFileTests {
    static func sample() -> SafetensorsImage {
        var image = SafetensorsImage()
        image.add("model.embed_tokens.weight", [3, 4], floats: (0..<12).map { Float($0) / 4 })
        image.add("model.norm.weight", [4], floats: [1, 2, 3, 4])
        image.entries.append(.init(name: "half", dtype: "F16", shape: [2], data: [0x00, 0x3C, 0x00, 0xC0]))      // 1, −2
        image.entries.append(.init(name: "brain", dtype: "BF16", shape: [1, 2], data: [0x80, 0x3F, 0x40, 0x40])) // 1, 3
        image.entries.append(.init(name: "steps", dtype: "I64", shape: [], data: [7, 0, 0, 0, 0, 0, 0, 0]))
        image.entries.append(.init(name: "empty", dtype: "F32", shape: [0, 5], data: []))
        return image
    }

    func parse(_ bytes: [UInt8]) throws(SafetensorsError) -> SafetensorsFile {
        try SafetensorsFile(bytes: bytes)
    }

    @Test func readsTensorsInPlace() throws {
        let file = try parse(Self.sample().bytes())
        #expect(file.tensors.map(\.name) == ["brain", "empty", "half", "model.embed_tokens.weight", "model.norm.weight", "steps"])
        #expect(file.metadata == ["format": "pt"])
        let embed = try #require(file.tensor(named: "model.embed_tokens.weight"))
        #expect(embed.dtype == .f32 && embed.shape == [3, 4] && embed.elementCount == 12)
        #expect(Array(file.bytes(of: embed).bindMemory(to: Float.self)) == (0..<12).map { Float($0) / 4 })
        let half = try #require(file.tensor(named: "half"))
        #expect(half.dtype == .f16 && half.dtype.computeType == .f16)
        #expect(Array(file.bytes(of: half).bindMemory(to: Float16.self)) == [1, -2])
        #expect(file.tensor(named: "brain")?.dtype.computeType == .bf16)
        #expect(file.tensor(named: "steps")?.dtype.computeType == nil)
        #expect(file.tensor(named: "steps")?.elementCount == 1)
        #expect(file.tensor(named: "empty")?.range.isEmpty == true)
        #expect(file.tensor(named: "absent") == nil)
    }

    @Test func readsAFileFromDisk() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-\(UUID()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.sample().write(to: path)
        let file = try SafetensorsFile(contentsOf: path)
        #expect(file.fileSize == Self.sample().bytes().count)
        #expect(file.tensors.count == 6)
        #expect(throws: SafetensorsError.cannotOpen(path: path + ".missing", reason: "No such file or directory")) {
            try SafetensorsFile(contentsOf: path + ".missing")
        }
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: SafetensorsError.cannotOpen(path: directory, reason: "it is a directory")) {
            try SafetensorsFile(contentsOf: directory)
        }
    }

    @Test func rejectsAShortFileAndABadHeaderLength() {
        #expect(throws: SafetensorsError.truncated(fileSize: 5)) { try parse([1, 2, 3, 4, 5]) }
        var bytes = Self.sample().bytes()
        bytes.replaceSubrange(0..<8, with: withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) })
        #expect(throws: SafetensorsError.headerOutOfBounds(length: UInt64(bytes.count), fileSize: bytes.count)) { try parse(bytes) }
        bytes.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: SafetensorsError.headerOutOfBounds(length: .max, fileSize: bytes.count)) { try parse(bytes) }
    }

    @Test(arguments: [
        ("{\"a\": ", SafetensorsError.invalidHeader("not well-formed JSON")),
        ("[1, 2]", .invalidHeader("the JSON is an array, not an object")),
        ("{\"__metadata__\": [1]}", .invalidHeader("__metadata__ is an array, not an object")),
        ("{\"__metadata__\": {\"format\": 1}}", .invalidHeader("__metadata__ value for 'format' is a number, not a string")),
        ("{\"t\": 3}", .invalidEntry(tensor: "t", reason: "it is a number, not an object")),
        ("{\"t\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", .invalidEntry(tensor: "t", reason: "'dtype' is missing or not a string")),
        ("{\"t\": {\"dtype\": \"F4X\", \"shape\": [1], \"data_offsets\": [0, 4]}}", .unknownDType(tensor: "t", dtype: "F4X")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": 1, \"data_offsets\": [0, 4]}}",
         .invalidEntry(tensor: "t", reason: "'shape' is missing or not an array")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}",
         .invalidEntry(tensor: "t", reason: "'shape' holds a number that is not a size")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}",
         .invalidEntry(tensor: "t", reason: "'shape' holds a number that is not a size")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}",
         .invalidEntry(tensor: "t", reason: "'data_offsets' must be two offsets [begin, end] with begin ≤ end")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}",
         .invalidEntry(tensor: "t", reason: "'data_offsets' must be two offsets [begin, end] with begin ≤ end")),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", .sizeMismatch(tensor: "t", expected: 8, actual: 4)),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 4]}}",
         .sizeMismatch(tensor: "t", expected: nil, actual: 4)),
        ("{\"t\": {\"dtype\": \"F32\", \"shape\": [5], \"data_offsets\": [0, 20]}}",
         .outOfBounds(tensor: "t", begin: 0, end: 20, dataSize: 16)),
        ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
         + "\"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", .overlap("a", "b")),
    ])
    func rejectsEachMalformedHeader(header: String, error: SafetensorsError) {
        var image = SafetensorsImage()
        image.entries = [.init(name: "data", dtype: "U8", shape: [16], data: [UInt8](repeating: 1, count: 16))]
        #expect(throws: error) { try parse(image.bytes(header: header)) }
        #expect(!error.description.contains("\n") && !error.description.isEmpty)
    }

    @Test func descriptionsStayOneLine() {
        let error = SafetensorsError.unknownDType(tensor: "evil\nname", dtype: "X")
        #expect(error.description == "tensor 'evil\\u{a}name' has dtype 'X', which safetensors does not define")
        let wrapped = ModelError.safetensors(error, file: "/m/model.safetensors")
        #expect(wrapped.description.hasPrefix("/m/model.safetensors: tensor 'evil"))
    }

    /// Truncations, flipped bytes and splices of a valid file either parse or throw; a parsed
    /// file's tensors always lie inside it.
    @Test func randomDamageNeverCrashes() {
        let valid = Self.sample().bytes()
        var random = SplitMix64(seed: 42)
        var parsed = 0
        for round in 0..<3000 {
            var bytes = valid
            switch round % 4 {
            case 0:
                bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count + 1))))
            case 1:
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            case 2:
                // Damage the JSON only, where parsing decisions are made.
                let headerEnd = 8 + Int(UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
                let at = 8 + Int(random.next() % UInt64(headerEnd - 8))
                bytes[at] = Array("{}[]\",:0123456789-eE.ntf \\".utf8)[Int(random.next() % 26)]
            default:
                let at = Int(random.next() % UInt64(bytes.count))
                bytes.insert(contentsOf: [UInt8](repeating: UInt8(truncatingIfNeeded: random.next()), count: 3), at: at)
            }
            if let file = try? parse(bytes) {
                parsed += 1
                for tensor in file.tensors { #expect(file.bytes(of: tensor).count == tensor.range.count) }
            }
        }
        #expect(parsed > 0, "some damage (in data bytes) leaves a valid file")
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let header = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: SafetensorsError.invalidHeader("not well-formed JSON")) { try parse(SafetensorsImage().bytes(header: header)) }
    }
}
