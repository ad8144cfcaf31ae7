// Pins down that every error describes itself in one non-empty line, even with newlines in names.
import Testing
import GGUF

@Suite struct GGUFErrorTests {
    static let name = "evil\nname\r\u{2028}"

    static let examples: [GGUFError] = [
        .cannotOpen(path: "/x\n.gguf", reason: "No such file or directory"),
        .isDirectory(path: "/tmp"),
        .writeFailed(path: name, reason: "Permission denied"),
        .truncated(at: 1234, needed: 8),
        .badMagic(found: [0x47, 0x47, 0x4D, 0x4C]),
        .badMagic(found: []),
        .unsupportedVersion(1),
        .absurdCount(what: "tensor", count: .max, at: 8),
        .stringTooLong(length: 1 << 62, at: 24),
        .invalidUTF8(at: 24),
        .unknownValueType(13, at: 33),
        .nestingTooDeep(at: 100),
        .badAlignment(3),
        .duplicateKey(name),
        .unknownTensorType(31, tensor: name),
        .badDimensions(tensor: name, dimensions: [4, 0]),
        .rowNotBlockAligned(tensor: name, rowLength: 100, type: .q4_K),
        .duplicateTensor(name),
        .tensorOutOfBounds(tensor: name, offset: 1 << 40, size: 144, fileSize: 1000),
        .misalignedTensor(tensor: name, offset: 16, alignment: 32),
        .tensorsOverlap(name, "b"),
        .tensorSizeMismatch(tensor: name, expected: 144, actual: 143),
        .missingKey(name),
        .typeMismatch(key: name, expected: "string", found: "uint32"),
        .valueOutOfRange(key: name),
    ]

    @Test(arguments: examples)
    func descriptionIsOneLine(error: GGUFError) {
        let text = error.description
        #expect(!text.isEmpty)
        let isOneLine = !text.contains { $0.isNewline }
        #expect(isOneLine, "\(text.debugDescription)")
    }

    @Test func descriptionsNameOffsetsAndKeys() {
        #expect(GGUFError.truncated(at: 1234, needed: 8).description
            == "GGUF file is truncated: needed 8 bytes at offset 1234, past the end of the file")
        #expect(GGUFError.badMagic(found: [0x47, 0x47, 0x4D, 0x4C]).description.hasSuffix("found 47 47 4D 4C"))
        #expect(GGUFError.missingKey("qwen2.block_count").description.contains("'qwen2.block_count'"))
        #expect(GGUFError.duplicateKey("a\nb").description.contains("'a\\u{a}b'"))
    }
}
