/// Turns a stream of token ids into text without ever emitting a partial UTF-8 sequence or
/// losing bytes: holds incomplete trailing bytes until they complete or `finish()`.
///
/// The concatenation of everything `append` and `finish` return equals
/// `tokenizer.decode(allIDs)`, U+FFFD replacements included.
///
/// ```swift
/// var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
/// for id in generated { print(detokenizer.append(id), terminator: "") }
/// print(detokenizer.finish())
/// ```
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: Tokenizer
    /// Whether control, unknown and unused tokens are dropped, as `decode(_:skipSpecial:)` does.
    public let skipSpecial: Bool
    /// Bytes not yet returned: at most the start of one UTF-8 sequence (≤ 3 bytes) between calls.
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, skipSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecial = skipSpecial
        pending.reserveCapacity(256)   // room for any one token's bytes, so decoding never reallocates
    }

    /// The text completed by `id` ("" if none yet).
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendBytes(of: CollectionOfOne(id), skipSpecial: skipSpecial, to: &pending)
        let complete = UTF8Boundary.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Everything still held; an incomplete sequence becomes U+FFFD.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }
}

/// Where a UTF-8 byte stream can be cut without changing how it decodes.
enum UTF8Boundary {
    /// The length of the longest prefix of `bytes` that decodes the same on its own as it does
    /// followed by any continuation: everything except a trailing, still-valid but incomplete
    /// sequence.
    ///
    /// Decoding replaces each maximal invalid subpart with U+FFFD (Unicode §3.9, as Swift's and
    /// Rust's lossy decoders do), so a cut before a lead byte never changes the result: no
    /// earlier sequence can extend over a lead byte.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // the last lead byte within reach of the end; continuation bytes are 10xxxxxx
        var lead = count - 1
        while lead >= 0 && lead >= count - 3 && bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0 && lead >= count - 3 else { return count }
        let needed = sequenceLength(bytes[lead])
        let have = count - lead
        guard needed > have else { return count }
        // hold it only if the bytes so far can still become a valid sequence
        for index in (lead + 1)..<count where !validContinuation(bytes[index], at: index - lead, lead: bytes[lead]) {
            return count
        }
        return lead
    }

    /// The length a lead byte announces; 1 for ASCII and for bytes that cannot start a sequence.
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 1
        }
    }

    /// Whether `byte` may follow at `position` (1, 2 or 3) of a sequence starting with `lead`
    /// (Unicode Table 3-7, well-formed UTF-8 byte sequences).
    private static func validContinuation(_ byte: UInt8, at position: Int, lead: UInt8) -> Bool {
        guard position == 1 else { return byte & 0xC0 == 0x80 }
        switch lead {
        case 0xE0: return (0xA0...0xBF).contains(byte)
        case 0xED: return (0x80...0x9F).contains(byte)
        case 0xF0: return (0x90...0xBF).contains(byte)
        case 0xF4: return (0x80...0x8F).contains(byte)
        default: return byte & 0xC0 == 0x80
        }
    }
}
