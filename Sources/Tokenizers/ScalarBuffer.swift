/// A UTF-8 text decoded once into scalar values, their classes and byte offsets, so the
/// pre-tokenizer can look ahead by scalar and hand byte ranges to BPE.
///
/// The arrays only grow: `count` says how much of them is the current text, so reloading
/// for the next span of an `encode` call allocates nothing.
struct ScalarBuffer {
    private(set) var values: [UInt32] = []
    private(set) var classes: [ScalarClass] = []
    /// Byte offset of each scalar, plus the total length at `offsets[count]`.
    private(set) var offsets: [Int] = [0]
    private(set) var count = 0

    /// Decodes `text`, which must be valid UTF-8 (it comes from a Swift `String`).
    mutating func load(_ text: UnsafeBufferPointer<UInt8>) {
        let end = text.count
        if values.count < end {
            values = [UInt32](repeating: 0, count: end)
            classes = [ScalarClass](repeating: [], count: end)
            offsets = [Int](repeating: 0, count: end + 1)
        }
        var scalarCount = 0
        let plane = ScalarClass.basicPlane
        plane.withUnsafeBufferPointer { plane in
            values.withUnsafeMutableBufferPointer { values in
                classes.withUnsafeMutableBufferPointer { classes in
                    offsets.withUnsafeMutableBufferPointer { offsets in
                        var index = 0
                        while index < end {
                            let (value, length) = Self.decode(text, at: index)
                            values[scalarCount] = value
                            classes[scalarCount] = .of(value, in: plane)
                            offsets[scalarCount] = index
                            scalarCount += 1
                            index += length
                        }
                        offsets[scalarCount] = end
                    }
                }
            }
        }
        count = scalarCount
    }

    /// The scalar starting at `index` and its length in bytes.
    @inline(__always)
    private static func decode(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(text[index])
        var value: UInt32
        var length: Int
        switch lead {
        case ..<0x80: return (lead, 1)
        case ..<0xE0: value = lead & 0x1F; length = 2
        case ..<0xF0: value = lead & 0x0F; length = 3
        default: value = lead & 0x07; length = 4
        }
        length = min(length, text.count - index)
        for offset in 1..<length {
            value = value << 6 | (UInt32(text[index + offset]) & 0x3F)
        }
        return (value, length)
    }
}
