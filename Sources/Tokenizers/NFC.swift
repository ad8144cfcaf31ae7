import Foundation

/// Unicode Normalization Form C, as Hugging Face's `NFC` normalizer applies it.
enum NFC {
    /// Calls `body` with the NFC form of `text` (valid UTF-8).
    ///
    /// Only the stretches that may change go through Foundation. Scalars below U+0300 (lead
    /// byte < 0xCC) are already NFC, and text may be cut before any ASCII scalar without
    /// changing its normal form: ASCII is a starter that never composes with what precedes
    /// it (UAX #15 "stable code points"). So a stretch runs from the ASCII scalar before a
    /// lead byte ≥ 0xCC to the next ASCII scalar after it.
    static func withNormalized<R>(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard var next = text.firstIndex(where: { $0 >= 0xCC }) else { return body(text) }
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.count + 16)
        var copied = 0
        while true {
            var start = next
            while start > copied && text[start] >= 0x80 { start -= 1 }
            var end = next + 1
            while end < text.count && text[end] >= 0x80 { end += 1 }
            normalized.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied..<start]))
            let stretch = String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
            normalized.append(contentsOf: stretch.precomposedStringWithCanonicalMapping.utf8)
            copied = end
            guard let found = text[end...].firstIndex(where: { $0 >= 0xCC }) else { break }
            next = found
        }
        normalized.append(contentsOf: UnsafeBufferPointer(rebasing: text[copied...]))
        return normalized.withUnsafeBufferPointer(body)
    }
}
