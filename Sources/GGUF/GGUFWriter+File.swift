#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GGUFWriter {
    /// Writes the file atomically: to `path + ".tmp-<pid>"`, fsync, then rename over
    /// `path`, so `path` never holds a partial file, even if the process dies mid-write.
    ///
    /// - Throws: `GGUFError.writeFailed` with the system's reason; the temporary file is removed.
    public func write(to path: String) throws(GGUFError) {
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: MappedFile.errnoDescription()) }
        do throws(GGUFError) {
            try writeContents(to: fd, path: path)
            guard fsync(fd) == 0 else { throw .writeFailed(path: path, reason: MappedFile.errnoDescription()) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // close can report a deferred write error (e.g. on NFS), so it is checked too.
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            let reason = MappedFile.errnoDescription()
            unlink(temporary)
            throw .writeFailed(path: path, reason: reason)
        }
    }

    private func writeContents(to fd: Int32, path: String) throws(GGUFError) {
        try writeAll(headerBytes()[...], to: fd, path: path)
        // Tensor data goes straight from each tensor's buffer: no whole-file copy.
        let zeros = [UInt8](repeating: 0, count: alignment)
        for tensor in tensors {
            try writeAll(tensor.bytes[...], to: fd, path: path)
            let padded = tensor.byteCount.roundedUp(toMultipleOf: alignment).partialValue
            try writeAll(zeros[0..<(padded - tensor.byteCount)], to: fd, path: path)
        }
    }

    private func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32, path: String) throws(GGUFError) {
        let failure: String? = bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = systemWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return MappedFile.errnoDescription()
                }
                written += result
            }
            return nil
        }
        if let failure { throw .writeFailed(path: path, reason: failure) }
    }
}

// At file scope because inside GGUFWriter the method `write(to:)` shadows the C function.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
