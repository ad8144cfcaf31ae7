#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive `flock` on `$KINGLET_HOME/locks/<file>.lock`, held while a model is pulled
/// or removed, so two processes never write the same files. The kernel drops the lock when
/// the process dies, so a killed pull never leaves the model locked. The lock file itself
/// stays: deleting it while another process waits on it would let two holders in.
struct StoreLock: ~Copyable {
    private let fd: Int32

    /// Takes the lock of `entryFile` without waiting.
    /// - Throws: `StoreError.busy` when another process holds it.
    init(for name: String, file entryFile: String) throws(StoreError) {
        try StoreFS.makeDirectory(ModelStore.locksDirectory)
        let path = ModelStore.locksDirectory.appendingPathComponent(entryFile + ".lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreFile.error(errno, path) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw .busy(name: name, lockFile: path) }
            throw StoreFile.error(code, path)
        }
        fd = descriptor
    }

    deinit { close(fd) }

    /// Runs `body` while the lock is held.
    borrowing func holding<T>(_ body: () async throws(StoreError) -> T) async throws(StoreError) -> T {
        try await body()
    }

    /// Runs `body` while the lock is held.
    borrowing func holding<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try body()
    }
}
