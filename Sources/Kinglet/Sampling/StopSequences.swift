/// Finds stop strings in streamed text, even when one spans several tokens.
///
/// Text that could be the start of a stop string is held back until it is
/// known not to be; a stop string itself is never released.
public struct StopSequences: Sendable {
    private let stops: [[UInt8]]
    private var pending: [UInt8] = []
    /// The stop string that was found.
    public private(set) var found: String?

    public init(_ stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.utf8) }
        // Held-back text plus one token's bytes, so streaming never reallocates.
        pending.reserveCapacity(256 + (self.stops.map(\.count).max() ?? 0))
    }

    /// Adds `text`; returns what can be shown now, and whether a stop string was found
    /// (then `release` is the text before it and generation should end).
    public mutating func append(_ text: String) -> (release: String, stopped: Bool) {
        pending.append(contentsOf: text.utf8)
        guard !stops.isEmpty else { return (take(pending.count), false) }
        if let (start, stop) = earliestMatch() {
            found = String(decoding: stop, as: UTF8.self)
            let before = take(start)
            pending.removeAll()
            return (before, true)
        }
        return (take(pending.count - heldBack()), false)
    }

    /// The text held back at the end of generation.
    public mutating func finish() -> String {
        take(pending.count)
    }

    /// The first complete stop string in `pending`, and where it begins.
    private func earliestMatch() -> (start: Int, stop: [UInt8])? {
        var best: (start: Int, stop: [UInt8])?
        for stop in stops where stop.count <= pending.count {
            for start in 0...(pending.count - stop.count) where best.map({ start < $0.start }) ?? true {
                if pending[start..<(start + stop.count)].elementsEqual(stop) { best = (start, stop); break }
            }
        }
        return best
    }

    /// The length of the longest end of `pending` that begins some stop string.
    private func heldBack() -> Int {
        var longest = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, pending.count), to: longest, by: -1)
            where pending.suffix(length).elementsEqual(stop.prefix(length)) {
                longest = length
                break
            }
        }
        return longest
    }

    /// Removes and decodes the first `count` bytes; they always end on a character boundary,
    /// because stop strings and the streamed text are both whole UTF-8 characters.
    private mutating func take(_ count: Int) -> String {
        let text = String(decoding: pending.prefix(count), as: UTF8.self)
        pending.removeFirst(count)
        return text
    }
}
