#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file's bytes, read-only: a memory mapping of the file, or a private heap copy.
/// Releases them when the last reference goes.
///
/// Behind `GGUFFile`, and behind other weight formats (safetensors) that read tensors in place.
public final class MappedFile: @unchecked Sendable {
    // Sendable: the bytes are never written after init (the mapping is PROT_READ).

    /// The file's contents; valid while this object lives.
    public let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    /// Maps the file at `path` read-only. Weights stay on disk until touched, and pages
    /// are shared with other processes mapping the same model.
    ///
    /// - Throws: `GGUFError.cannotOpen` with the system's reason, or `.isDirectory`.
    public init(mapping path: String) throws(GGUFError) {
        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it has no
        // effect on the regular files we go on to map.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: Self.errnoDescription()) }
        // The mapping keeps the file alive; the descriptor is not needed after mmap.
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotOpen(path: path, reason: Self.errnoDescription()) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .isDirectory(path: path)
        default: throw .cannotOpen(path: path, reason: "not a regular file")
        }
        guard let size = Int(exactly: info.st_size), size > 0 else {
            // mmap rejects length 0; an empty file then fails parsing as truncated.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            isMapped = false
            return
        }
        // MAP_PRIVATE: if another process rewrites the file, our view is unaffected for
        // pages already read. Truncating it underneath us would still SIGBUS; mmap
        // offers no way to turn that into an error.
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .cannotOpen(path: path, reason: "mmap failed: \(Self.errnoDescription())")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
    }

    /// Copies `source` into a fresh allocation, 64-byte aligned like a page-aligned mapping
    /// would be for SIMD loads of tensor data. For tests and fuzzing.
    public init(copying source: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        source.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<source.count])
        isMapped = false
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        } else {
            base.deallocate()
        }
    }

    static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
