import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What reading one line produced.
enum LineInput: Equatable {
    case line(String)
    /// Ctrl-C; `discarded` is whether it threw away typed text.
    case interrupt(discarded: Bool)
    case endOfFile
}

/// Where the chat reads its lines from.
protocol LineReader {
    /// Shows `prompt` (when interactive) and reads one line.
    mutating func read(prompt: String) -> LineInput
}

/// Plain lines from a pipe or file: no prompt, no editing.
struct PlainLineReader: LineReader {
    mutating func read(prompt: String) -> LineInput {
        // Swift's readLine repairs invalid UTF-8 and drops the "\n" (and a "\r\n").
        readLine(strippingNewline: true).map(LineInput.line) ?? .endOfFile
    }
}

/// Line editing on a terminal in raw mode (emacs keys, as readline), with history
/// recalled by up/down and kept in a file.
///
/// The line scrolls sideways when it is wider than the terminal (as linenoise's
/// single-line mode), so redrawing never has to track wrapped rows.
struct LineEditor: LineReader {
    let terminal: Terminal
    private(set) var history: History
    /// Where the history is kept between sessions; nil keeps it in memory only.
    let historyFile: URL?
    private var decoder = KeyDecoder()

    init(terminal: Terminal, historyFile: URL?) {
        self.terminal = terminal
        self.historyFile = historyFile
        history = History(historyFile.map(Self.loadHistory) ?? [])
    }

    mutating func read(prompt: String) -> LineInput {
        terminal.enterRaw()
        defer { terminal.restore() }
        var buffer = LineBuffer()
        draw(prompt, buffer)
        var bytes = [UInt8](repeating: 0, count: 256)
        while true {
            let count = Terminal.readInput(into: &bytes)
            guard count > 0 else {
                write("\r\n")
                return .endOfFile
            }
            for key in decoder.keys(bytes[0..<count]) {
                // Keys that end the line show it as it finally is: the keys before them in
                // the same read (a paste, or fast typing) have not been drawn yet.
                if key == .enter || key == .interrupt || (key == .endOfFile && buffer.isEmpty) {
                    draw(prompt, buffer)
                }
                switch key {
                case .enter:
                    write("\r\n")
                    history.add(buffer.text)
                    saveHistory()
                    return .line(buffer.text)
                case .interrupt:
                    write("^C\r\n")
                    history.rewind()
                    return .interrupt(discarded: !buffer.isEmpty)
                case .endOfFile where buffer.isEmpty:
                    write("\r\n")
                    return .endOfFile
                case .endOfFile:
                    buffer.apply(.delete)
                case .up:
                    if let entry = history.previous(current: buffer.text) { buffer = LineBuffer(entry) }
                case .down:
                    if let entry = history.next() { buffer = LineBuffer(entry) }
                case .clearScreen:
                    write("\u{1B}[H\u{1B}[2J")
                default:
                    buffer.apply(key)
                }
            }
            draw(prompt, buffer)
        }
    }

    /// Redraws the prompt and the part of the line around the cursor that fits, then
    /// puts the cursor in place. The last column stays free so the terminal never wraps.
    private func draw(_ prompt: String, _ buffer: LineBuffer) {
        let columns = Terminal.columns
        let promptWidth = prompt.reduce(0) { $0 + $1.terminalWidth }
        let characters = buffer.characters
        let room = max(1, columns - promptWidth - 1)
        func width(_ range: Range<Int>) -> Int { characters[range].reduce(0) { $0 + $1.terminalWidth } }
        var start = 0
        while width(start..<buffer.cursor) > room - 1, start < buffer.cursor { start += 1 }
        var end = characters.count
        while width(start..<end) > room, end > buffer.cursor { end -= 1 }
        let cursorColumn = promptWidth + width(start..<buffer.cursor)
        var output = "\r" + prompt + String(characters[start..<end]) + "\u{1B}[K\r"
        if cursorColumn > 0 { output += "\u{1B}[\(cursorColumn)C" }
        write(output)
    }

    private func write(_ text: String) {
        writeOut(text)
    }

    // MARK: History file

    /// One entry a line; a newline inside an entry is written `\n` and a backslash `\\`.
    static func loadHistory(from url: URL) -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            var entry = "", escaped = false
            for character in line {
                if escaped {
                    entry.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    entry.append(character)
                }
            }
            return entry
        }
    }

    /// Rewrites the file with the newest `limit` entries; a failure (read-only home) only costs the history.
    private func saveHistory() {
        guard let historyFile else { return }
        let lines = history.entries.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        }
        try? FileManager.default.createDirectory(at: historyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? (lines.joined(separator: "\n") + "\n").write(to: historyFile, atomically: true, encoding: .utf8)
    }
}
