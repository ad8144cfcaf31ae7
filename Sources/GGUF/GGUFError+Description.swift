extension GGUFError: CustomStringConvertible {
    /// A one-line explanation for a user, naming the offset or key involved.
    public var description: String {
        let text: String
        switch self {
        case .cannotOpen(let path, let reason):
            text = "cannot open GGUF file \(path): \(reason)"
        case .isDirectory(let path):
            text = "cannot open GGUF file \(path): it is a directory"
        case .writeFailed(let path, let reason):
            text = "cannot write GGUF file \(path): \(reason)"
        case .truncated(let at, let needed):
            text = "GGUF file is truncated: needed \(needed) bytes at offset \(at), past the end of the file"
        case .badMagic(let found):
            let hex = found.map { hexByte($0) }.joined(separator: " ")
            text = "not a GGUF file: expected magic \"GGUF\" (47 47 55 46), found \(hex.isEmpty ? "nothing" : hex)"
        case .unsupportedVersion(let version):
            text = "unsupported GGUF version \(version) (supported: 2 and 3)"
        case .absurdCount(let what, let count, let at):
            text = "GGUF file is corrupt: \(what) count \(count) at offset \(at) is larger than the file could hold"
        case .stringTooLong(let length, let at):
            text = "GGUF file is corrupt: string length \(length) at offset \(at) is longer than the file"
        case .invalidUTF8(let at):
            text = "GGUF file is corrupt: the string at offset \(at) is not valid UTF-8"
        case .unknownValueType(let type, let at):
            text = "GGUF file is corrupt: unknown value type \(type) at offset \(at) (known: 0 to 12)"
        case .nestingTooDeep(let at):
            text = "GGUF file is corrupt: arrays nested more than \(GGUFReader.maxArrayDepth) deep at offset \(at)"
        case .badAlignment(let alignment):
            text = "GGUF general.alignment is \(alignment); it must be a nonzero power of two"
        case .duplicateKey(let key):
            text = "GGUF file is corrupt: metadata key '\(key)' appears more than once"
        case .unknownTensorType(let type, let tensor):
            text = "tensor '\(tensor)' has unknown ggml type \(type); this file may need a newer Kinglet"
        case .badDimensions(let tensor, let dimensions):
            text = "tensor '\(tensor)' has invalid dimensions \(dimensions): "
                + "need 1 to 4 dimensions, each at least 1, with a product that fits in Int"
        case .rowNotBlockAligned(let tensor, let rowLength, let type):
            text = "tensor '\(tensor)' has row length \(rowLength), "
                + "not a multiple of \(type.name)'s block size \(type.blockSize)"
        case .duplicateTensor(let name):
            text = "GGUF file is corrupt: tensor '\(name)' appears more than once"
        case .tensorOutOfBounds(let tensor, let offset, let size, let fileSize):
            text = "tensor '\(tensor)' (\(size) bytes at offset \(offset)) extends past the end "
                + "of the file (\(fileSize) bytes); the file may be truncated"
        case .misalignedTensor(let tensor, let offset, let alignment):
            text = "tensor '\(tensor)' has data offset \(offset), not a multiple of the alignment \(alignment)"
        case .tensorsOverlap(let first, let second):
            text = "GGUF file is corrupt: the data of tensors '\(first)' and '\(second)' overlap"
        case .tensorSizeMismatch(let tensor, let expected, let actual):
            text = "tensor '\(tensor)' needs \(expected) bytes for its type and dimensions, got \(actual)"
        case .missingKey(let key):
            text = "GGUF metadata is missing required key '\(key)'"
        case .typeMismatch(let key, let expected, let found):
            text = "GGUF metadata key '\(key)' should be \(expected), but is \(found)"
        case .valueOutOfRange(let key):
            text = "GGUF metadata key '\(key)' holds an integer too large for this platform"
        }
        return Self.singleLine(text)
    }

    /// `text` with its newlines escaped (`\u{a}`), so a message naming something taken from a
    /// file or the user stays one line (log lines, HTTP error bodies). Other formats' errors
    /// use it too.
    public static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var result = ""
        for character in text {
            if character.isNewline {
                result += character.unicodeScalars.map { "\\u{\(String($0.value, radix: 16))}" }.joined()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

private func hexByte(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return byte < 16 ? "0" + digits : digits
}
