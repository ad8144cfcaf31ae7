import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input's terminal: raw mode while a line is edited, no echo while an answer
/// streams, and the settings it had at start back on every way out.
///
/// The settings are restored by whoever owns the terminal (a `defer` in the command) and
/// also from the SIGTERM/SIGHUP/SIGINT handlers, which run on another thread: the
/// saved settings are immutable, and `tcsetattr` is safe to call from any thread.
final class Terminal: Sendable {
    private let original: termios
    private static let input = STDIN_FILENO

    /// The terminal on standard input, or nil when standard input is not one (a pipe or file).
    init?() {
        guard isatty(Self.input) == 1 else { return nil }
        var settings = termios()
        guard tcgetattr(Self.input, &settings) == 0 else { return nil }
        original = settings
    }

    /// Bytes as they are typed: no line buffering, no echo, no signals from Ctrl-C/Ctrl-Z
    /// (they arrive as bytes), no CR→NL or flow control. Output processing stays on.
    func enterRaw() {
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(ICRNL | IXON | BRKINT | INPCK | ISTRIP)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(Self.input, TCSANOW, &raw)
    }

    /// The original settings without echo, while an answer streams: Ctrl-C raises SIGINT
    /// again, and keys typed meanwhile do not land in the middle of the answer.
    func enterQuiet() {
        var quiet = original
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(Self.input, TCSANOW, &quiet)
    }

    /// The settings the terminal had when the command started.
    func restore() {
        var settings = original
        tcsetattr(Self.input, TCSANOW, &settings)
    }

    /// Reads what standard input has (at least one byte, blocking); 0 at end of input or on an error.
    static func readInput(into buffer: inout [UInt8]) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            return max(0, count)
        }
    }

    /// Columns of the terminal on standard output (80 if it cannot tell).
    static var columns: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

extension Character {
    /// Terminal columns the character takes: 2 for East Asian wide ones and emoji,
    /// 0 for combining marks and other zero-width scalars, otherwise 1.
    var terminalWidth: Int {
        guard let scalar = unicodeScalars.first else { return 0 }
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default: return 1
        }
    }
}
