/// A key press at the line editor, decoded from the bytes a terminal sends in raw mode.
enum Key: Equatable, Sendable {
    case character(Character)
    case enter
    case backspace
    /// Delete (the `ESC [3~` key).
    case delete
    case left, right, up, down
    case home, end
    case wordLeft, wordRight
    /// Ctrl-U: delete from the start of the line to the cursor.
    case killToStart
    /// Ctrl-K: delete from the cursor to the end of the line.
    case killToEnd
    /// Ctrl-W: delete the word before the cursor.
    case deleteWordBackward
    /// Ctrl-C (ISIG is off in raw mode, so it arrives as a byte, not a signal).
    case interrupt
    /// Ctrl-D: end of input on an empty line, delete under the cursor otherwise.
    case endOfFile
    /// Ctrl-L.
    case clearScreen
    /// A control byte or escape sequence the editor does not use.
    case ignored
}

/// Turns the byte stream of a terminal in raw mode into keys: UTF-8 sequences become one
/// character, VT100/xterm escape sequences become movement keys.
///
/// Bytes come in one at a time because a `read` can end in the middle of either.
struct KeyDecoder {
    private var pending: [UInt8] = []

    /// The keys `byte` completes: none while a sequence is still incomplete, two when it
    /// cuts a UTF-8 sequence short (the broken character, shown as U+FFFD, then its own key).
    mutating func feed(_ byte: UInt8) -> [Key] {
        if let lead = pending.first, lead >= 0x80, byte & 0xC0 != 0x80 {
            pending.removeAll()
            return [.character("\u{FFFD}")] + feed(byte)
        }
        pending.append(byte)
        let lead = pending[0]
        if lead == 0x1B { return escape().map { [$0] } ?? [] }
        if lead >= 0x80 { return utf8(lead: lead).map { [$0] } ?? [] }
        pending.removeAll()
        return [control(lead)]
    }

    /// All keys in `bytes` (one `read`'s worth).
    mutating func keys(_ bytes: some Sequence<UInt8>) -> [Key] {
        bytes.flatMap { feed($0) }
    }

    private func control(_ byte: UInt8) -> Key {
        switch byte {
        case 0x01: .home
        case 0x02: .left
        case 0x03: .interrupt
        case 0x04: .endOfFile
        case 0x05: .end
        case 0x06: .right
        case 0x08, 0x7F: .backspace
        case 0x0A, 0x0D: .enter
        case 0x0B: .killToEnd
        case 0x0C: .clearScreen
        case 0x0E: .down
        case 0x10: .up
        case 0x15: .killToStart
        case 0x17: .deleteWordBackward
        case 0x20...0x7E: .character(Character(Unicode.Scalar(byte)))
        default: .ignored
        }
    }

    private mutating func utf8(lead: UInt8) -> Key? {
        let length = switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1  // a stray continuation byte or an invalid lead: one U+FFFD
        }
        guard pending.count >= length else { return nil }
        let text = String(decoding: pending, as: UTF8.self)
        pending.removeAll()
        return text.first.map(Key.character) ?? .ignored
    }

    /// `ESC [ …` and `ESC O …` (CSI and SS3) sequences; `ESC b`/`ESC f` are Alt-word moves.
    private mutating func escape() -> Key? {
        guard pending.count >= 2 else { return nil }
        let kind = pending[1]
        if kind != UInt8(ascii: "[") && kind != UInt8(ascii: "O") {
            pending.removeAll()
            return switch kind {
            case UInt8(ascii: "b"): .wordLeft
            case UInt8(ascii: "f"): .wordRight
            case 0x7F: .deleteWordBackward
            default: .ignored
            }
        }
        guard pending.count >= 3 else { return nil }
        let final = pending.last!
        // CSI parameters and intermediates are 0x20…0x3F; the final byte is 0x40…0x7E.
        guard (0x40...0x7E).contains(final) else {
            if pending.count > 16 { pending.removeAll(); return .ignored }
            return nil
        }
        let parameters = String(decoding: pending[2..<(pending.count - 1)], as: UTF8.self)
        pending.removeAll()
        let modified = parameters.hasSuffix(";5") || parameters.hasSuffix(";3")  // Ctrl or Alt held
        switch Character(Unicode.Scalar(final)) {
        case "A": return .up
        case "B": return .down
        case "C": return modified ? .wordRight : .right
        case "D": return modified ? .wordLeft : .left
        case "H": return .home
        case "F": return .end
        case "~":
            return switch parameters {
            case "1", "7": .home
            case "4", "8": .end
            case "3": .delete
            default: .ignored
            }
        default: return .ignored
        }
    }
}
