import Foundation

/// Reads `model.vocab` of a `tokenizer.json` as (text, id) pairs, in file order.
///
/// `JSONDecoder` (and `JSONSerialization`) key objects by `String`, whose equality is canonical
/// equivalence, so texts written with different scalars collapse into one key: Gemma's vocabulary
/// has Bengali "ায়" both with U+09DF and with U+09AF U+09BC. This scanner keeps every entry with
/// its exact scalars. It runs after `JSONDecoder` has accepted the file, so it only needs to walk
/// valid JSON.
struct HuggingFaceVocabularyScanner {
    private let bytes: [UInt8]
    private var index = 0

    /// The entries of `model.vocab`, or nil when the file has none.
    static func vocabulary(in json: Data) throws(TokenizerError) -> [(text: String, id: Int)]? {
        var scanner = Self(bytes: [UInt8](json))
        guard let result = scanner.scanFile() else {
            throw .invalidTokenizerJSON(file: "tokenizer.json", reason: "model.vocab is not an object of token ids")
        }
        return result.found ? result.entries : nil
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// nil when the JSON is not shaped as expected.
    private mutating func scanFile() -> (found: Bool, entries: [(text: String, id: Int)])? {
        guard enterObject() else { return nil }
        while let key = nextKey() {
            guard key == "model" else {
                guard skipValue() else { return nil }
                continue
            }
            guard enterObject() else { return nil }
            while let modelKey = nextKey() {
                guard modelKey == "vocab" else {
                    guard skipValue() else { return nil }
                    continue
                }
                guard enterObject() else { return nil }
                var entries: [(text: String, id: Int)] = []
                while let text = nextKey() {
                    guard let id = integer() else { return nil }
                    entries.append((text, id))
                }
                return (true, entries)
            }
            return (false, [])
        }
        return (false, [])
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func enterObject() -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        return true
    }

    /// The next member's key, leaving the scanner at its value; nil at the object's end.
    private mutating func nextKey() -> String? {
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
            index += 1
            skipWhitespace()
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else {
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1 }
            return nil
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
        index += 1
        skipWhitespace()
        return key
    }

    /// A string at `index` (which holds its opening quote), escapes resolved.
    private mutating func string() -> String? {
        index += 1
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    guard var value = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(value), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    }
                    utf8.append(contentsOf: String(Unicode.Scalar(value) ?? "\u{FFFD}").utf8)
                default: utf8.append(escape)   // \" \\ \/
                }
            default:
                utf8.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count,
              let value = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else { return nil }
        index += 4
        return value
    }

    private mutating func integer() -> Int? {
        skipWhitespace()
        let start = index
        while index < bytes.count, bytes[index] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[index]) { index += 1 }
        return Int(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// Skips the value at `index`: a string, object, array or scalar.
    private mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // strings may hold brackets, so walk them; depth counts the rest
            var depth = 0
            repeat {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
            } while depth > 0 && index < bytes.count
            return depth == 0
        default:
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index]) {
                index += 1
            }
            return true
        }
    }
}
