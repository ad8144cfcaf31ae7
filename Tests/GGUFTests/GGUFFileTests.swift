// Pins down opening files from disk: mmap'd views, and the errors for missing paths and directories.
import Foundation
import Testing
@testable import GGUF

@Suite struct GGUFFileTests {
    @Test func missingPathCannotOpen() {
        let path = "/nonexistent-\(UUID()).gguf"
        #expect {
            try GGUFFile(contentsOf: path)
        } throws: { error in
            guard case .cannotOpen(let failedPath, let reason)? = error as? GGUFError else { return false }
            return failedPath == path && reason.contains("No such file")
        }
    }

    @Test func directoryIsRejected() {
        let path = FileManager.default.temporaryDirectory.path
        #expect(throws: GGUFError.isDirectory(path: path)) { try GGUFFile(contentsOf: path) }
    }

    @Test func fifoIsRejectedWithoutBlocking() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-fifo-\(UUID())").path
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        #expect(throws: GGUFError.cannotOpen(path: path, reason: "not a regular file")) { try GGUFFile(contentsOf: path) }
    }

    @Test func emptyFileIsTruncated() throws {
        let path = try Self.temporaryFile([])
        defer { unlink(path) }
        #expect(throws: GGUFError.truncated(at: 0, needed: 4)) { try GGUFFile(contentsOf: path) }
    }

    @Test func mappedFileMatchesInMemoryParse() throws {
        let bytes = try SampleFiles.small(alignment: 64)
        let path = try Self.temporaryFile(bytes)
        defer { unlink(path) }
        let mapped = try GGUFFile(contentsOf: path)
        let copied = try GGUFFile(bytes: bytes)
        #expect(mapped.fileSize == bytes.count)
        #expect(mapped.version == 3 && mapped.alignment == 64 && mapped.dataOffset == copied.dataOffset)
        #expect(mapped.tensors == copied.tensors)
        #expect(mapped.metadata.keys == copied.metadata.keys)
        for tensor in mapped.tensors {
            let view = mapped.bytes(of: tensor)
            #expect(Array(view) == Array(bytes[tensor.offset..<tensor.offset + tensor.byteCount]))
            // Data offsets are aligned in the file, and the mapping is page aligned.
            #expect(Int(bitPattern: view.baseAddress) % 64 == 0)
        }
    }

    @Test func fileIsSendableAcrossTasks() async throws {
        let file = try GGUFFile(bytes: try SampleFiles.small())
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for tensor in file.tensors {
                group.addTask { file.bytes(of: tensor).reduce(0) { $0 + Int($1) } }
            }
            return try await group.reduce(0, +)
        }
        #expect(sums == file.tensors.reduce(0) { $0 + file.bytes(of: $1).reduce(0) { $0 + Int($1) } })
    }

    static func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-\(UUID()).gguf").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
