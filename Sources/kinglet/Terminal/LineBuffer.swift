import Foundation

/// The line being edited and the cursor in it, counted in characters (grapheme clusters),
/// so a multi-byte or combined character moves and deletes as one.
///
/// Pure value logic: `LineEditor` feeds it keys and draws it.
struct LineBuffer: Equatable {
    private(set) var characters: [Character] = []
    /// Characters before the cursor: 0…`characters.count`.
    private(set) var cursor = 0

    init(_ text: String = "") {
        characters = Array(text)
        cursor = characters.count
    }

    var text: String { String(characters) }
    var isEmpty: Bool { characters.isEmpty }

    /// Applies an editing key; returns false for keys that are not edits (enter, history, Ctrl-C…).
    @discardableResult
    mutating func apply(_ key: Key) -> Bool {
        switch key {
        case .character(let character): insert(character)
        case .backspace:
            guard cursor > 0 else { break }
            cursor -= 1
            characters.remove(at: cursor)
        case .delete:
            if cursor < characters.count { characters.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(characters.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = characters.count
        case .wordLeft: cursor = startOfWord(before: cursor)
        case .wordRight:
            while cursor < characters.count, characters[cursor].isWhitespace { cursor += 1 }
            while cursor < characters.count, !characters[cursor].isWhitespace { cursor += 1 }
        case .killToStart:
            characters.removeSubrange(0..<cursor)
            cursor = 0
        case .killToEnd: characters.removeSubrange(cursor...)
        case .deleteWordBackward:
            let start = startOfWord(before: cursor)
            characters.removeSubrange(start..<cursor)
            cursor = start
        case .enter, .up, .down, .interrupt, .endOfFile, .clearScreen, .ignored: return false
        }
        return true
    }

    /// Inserts at the cursor. A combining mark typed after a character joins it, as it
    /// would in the string, so the cursor never sits inside a grapheme cluster.
    mutating func insert(_ character: Character) {
        if cursor > 0, (String(characters[cursor - 1]) + String(character)).count == 1 {
            characters[cursor - 1] = Character(String(characters[cursor - 1]) + String(character))
            return
        }
        characters.insert(character, at: cursor)
        cursor += 1
    }

    /// Where Ctrl-W and Alt-B go: back over spaces, then over the word before them (as readline's `unix-word-rubout`).
    private func startOfWord(before index: Int) -> Int {
        var start = index
        while start > 0, characters[start - 1].isWhitespace { start -= 1 }
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        return start
    }
}

/// Lines entered before, for up/down recall: the oldest first, at most `limit`.
///
/// Up from the line being typed keeps it as a draft that down brings back.
struct History: Equatable {
    private(set) var entries: [String]
    let limit: Int
    /// The entry shown, or `entries.count` for the draft.
    private var position: Int
    private var draft = ""

    init(_ entries: [String] = [], limit: Int = 1000) {
        self.entries = Array(entries.suffix(limit))
        self.limit = limit
        position = self.entries.count
    }

    /// Adds a line (not an empty one, nor a repeat of the last) and goes back to the draft.
    mutating func add(_ line: String) {
        if !line.trimmingCharacters(in: .whitespaces).isEmpty, line != entries.last {
            entries.append(line)
            if entries.count > limit { entries.removeFirst(entries.count - limit) }
        }
        rewind()
    }

    /// Goes back to the draft, empty, as after a line was entered.
    mutating func rewind() {
        position = entries.count
        draft = ""
    }

    /// The entry before the one shown, or nil at the oldest; `current` is what the line holds now.
    mutating func previous(current: String) -> String? {
        guard position > 0 else { return nil }
        if position == entries.count { draft = current }
        position -= 1
        return entries[position]
    }

    /// The entry after the one shown (the draft after the newest), or nil when the draft is shown.
    mutating func next() -> String? {
        guard position < entries.count else { return nil }
        position += 1
        return position == entries.count ? draft : entries[position]
    }
}
