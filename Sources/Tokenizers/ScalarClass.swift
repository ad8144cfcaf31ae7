/// The character classes the pre-tokenizer regexes test, as bit flags of one byte.
///
/// `\s` is Unicode White_Space (what Oniguruma uses for `\s`, so U+000B, U+0085 and U+3000
/// count; U+001C…U+001F do not), `\p{L}`, `\p{N}`, `\p{M}`, `\p{P}`, `\p{S}` are general categories.
/// A scalar with none of letter/number/whitespace is "other" (`[^\s\p{L}\p{N}]`).
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1)
    static let number = ScalarClass(rawValue: 2)
    static let whitespace = ScalarClass(rawValue: 4)
    /// `\r` or `\n` (also whitespace).
    static let lineBreak = ScalarClass(rawValue: 8)
    static let mark = ScalarClass(rawValue: 16)
    /// U+0020 exactly: the ` ?` of the regexes (also whitespace).
    static let space = ScalarClass(rawValue: 32)
    /// `\p{P}`: connector, dash, open, close, initial, final and other punctuation.
    static let punctuation = ScalarClass(rawValue: 64)
    /// `\p{S}`: math, currency, modifier and other symbols.
    static let symbol = ScalarClass(rawValue: 128)

    /// Classes of U+0000…U+FFFF, computed once (64 KiB). Hot loops read it through
    /// `of(_:in:)` to skip the lazy-global check per scalar.
    static let basicPlane: [ScalarClass] = (0..<0x10000).map { compute(UInt32($0)) }

    static func of(_ value: UInt32) -> ScalarClass {
        basicPlane.withUnsafeBufferPointer { of(value, in: $0) }
    }

    @inline(__always)
    static func of(_ value: UInt32, in basicPlane: UnsafeBufferPointer<ScalarClass>) -> ScalarClass {
        value < 0x10000 ? basicPlane[Int(value)] : compute(value)
    }

    static func compute(_ value: UInt32) -> ScalarClass {
        switch value {
        case 0x0A, 0x0D: return [.whitespace, .lineBreak]
        case 0x20: return [.whitespace, .space]
        case 0x09, 0x0B, 0x0C, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return .whitespace
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return [] }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .mark
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return .symbol
        default:
            return []
        }
    }
}
