#if canImport(Glibc)
import Glibc
private let systemRead = Glibc.read, systemWrite = Glibc.write, systemRename = Glibc.rename
#elseif canImport(Darwin)
import Darwin
private let systemRead = Darwin.read, systemWrite = Darwin.write, systemRename = Darwin.rename
#endif
import Crypto
import Foundation

/// A file opened with POSIX calls, so write failures keep their `errno` (a full disk
/// becomes `StoreError.diskFull`, not a generic Foundation error).
final class StoreFile {
    let path: String
    private let fd: Int32

    /// Opens `path` for appending, creating it; `truncate` empties it first.
    static func append(_ path: String, truncate: Bool = false) throws(StoreError) -> StoreFile {
        try StoreFile(path: path, flags: O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0))
    }

    /// Opens `path` for reading.
    static func read(_ path: String) throws(StoreError) -> StoreFile {
        try StoreFile(path: path, flags: O_RDONLY)
    }

    private init(path: String, flags: Int32) throws(StoreError) {
        self.path = path
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.error(errno, path) }
        fd = descriptor
    }

    deinit { close(fd) }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, path)
            }
            offset += n
        }
    }

    /// Flushes the file's data to the disk.
    func sync() throws(StoreError) {
        guard fsync(fd) == 0 else { throw Self.error(errno, path) }
    }

    /// Reads the whole file in chunks, calling `body` with each; returns the byte count.
    @discardableResult
    func forEachChunk(_ body: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) -> Int64 {
        let chunkSize = 1 << 22
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let n = systemRead(fd, buffer.baseAddress!, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, path)
            }
            if n == 0 { return total }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            total += Int64(n)
        }
    }

    static func error(_ code: Int32, _ path: String) -> StoreError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path, needed: nil, available: nil) }
        return .io(path: path, reason: String(cString: strerror(code)))
    }
}

/// File-system helpers of the store.
enum StoreFS {
    /// The file's size, or nil when there is no such file.
    static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Renames atomically, replacing `to` if it exists.
    static func rename(_ from: String, to: String) throws(StoreError) {
        guard systemRename(from, to) == 0 else { throw StoreFile.error(errno, to) }
    }

    /// Deletes the file if it exists.
    static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw StoreFile.error(errno, path) }
    }

    /// Creates the directory and its parents.
    static func makeDirectory(_ url: URL) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .io(path: url.path, reason: "cannot create the directory (\(error.localizedDescription))")
        }
    }

    /// Bytes free for an unprivileged user on the file system holding `path`.
    static func availableBytes(_ path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The sha256 of the file, as lowercase hex; `progress` gets the bytes hashed so far.
    static func sha256(_ path: String, progress: (Int64) -> Void = { _ in }) throws(StoreError) -> String {
        var hasher = SHA256()
        var done: Int64 = 0
        try StoreFile.read(path).forEachChunk { chunk in
            hasher.update(bufferPointer: chunk)
            done += Int64(chunk.count)
            progress(done)
        }
        return hasher.finalize().hex
    }
}

extension SHA256.Digest {
    /// The digest as lowercase hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
