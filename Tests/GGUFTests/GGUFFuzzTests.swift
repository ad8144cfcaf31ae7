// Pins down that no mutated header makes the reader trap: every input parses or throws GGUFError.
import Testing
@testable import GGUF
import TestSupport

@Suite struct GGUFFuzzTests {
    /// Values that stress length and offset arithmetic when written over a count or offset.
    static let hostileWords: [UInt64] = [
        .max, .max - 1, 1 << 63, (1 << 63) - 1, 1 << 62, 1 << 40, 1 << 32, 0xFFFF_FFFF, 0x8000_0000, 4097, 13, 5, 1, 0,
    ]

    @Test func mutatedHeadersNeverTrap() throws {
        let base = try SampleFiles.small()
        let headerLength = try GGUFFile(bytes: base).dataOffset
        var rng = SplitMix64(seed: 0x6767_7566)  // "gguf"
        var parsed = 0
        var errorKinds = Set<String>()

        for _ in 0..<5000 {
            let bytes = Self.mutate(base, headerLength: headerLength, rng: &rng)
            do {
                let file = try GGUFFile(bytes: bytes)
                // A file that parses must hand out in-bounds views.
                for tensor in file.tensors { _ = file.bytes(of: tensor).count }
                parsed += 1
            } catch {
                #expect(!error.description.contains("\n"))
                // Every case has a payload, so the mirror's one child is labelled with the case name.
                errorKinds.insert(Mirror(reflecting: error).children.first?.label ?? "?")
            }
        }
        // The mutations reach both outcomes and many distinct checks.
        #expect(parsed > 0)
        #expect(errorKinds.count >= 8, "\(errorKinds.sorted())")
    }

    /// One to three random mutations, mostly inside the header.
    static func mutate(_ base: [UInt8], headerLength: Int, rng: inout SplitMix64) -> [UInt8] {
        var bytes = base
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !bytes.isEmpty else { break }
            let position = Int.random(in: 0..<min(headerLength, bytes.count), using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // flip a few bits
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let at = Int.random(in: 0..<min(headerLength, bytes.count), using: &rng)
                    bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                }
            case 1:  // a hostile u64 over whatever is there (a count, length, dimension or offset)
                let word = hostileWords.randomElement(using: &rng)!
                overwrite(&bytes, at: position, with: withUnsafeBytes(of: word.littleEndian, Array.init))
            case 2:  // a hostile u32 (a type tag, n_dims or version)
                let word = UInt32(truncatingIfNeeded: hostileWords.randomElement(using: &rng)!)
                overwrite(&bytes, at: position, with: withUnsafeBytes(of: word.littleEndian, Array.init))
            case 3:  // truncate
                bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &rng)...)
            case 4:  // insert random bytes
                let inserted = (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes.insert(contentsOf: inserted, at: position)
            default:  // delete a few bytes
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &rng)))
            }
        }
        return bytes
    }

    private static func overwrite(_ bytes: inout [UInt8], at position: Int, with word: [UInt8]) {
        for (index, byte) in word.enumerated() where position + index < bytes.count {
            bytes[position + index] = byte
        }
    }
}
