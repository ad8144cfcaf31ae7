import Foundation
import GGUF

extension ModelStore {
    /// The `.gguf` files in the store, catalog models under their store names and any
    /// other file dropped into the folder under its file name; sorted by name.
    /// Unfinished pulls (`.partial`) are not listed.
    public static func installedModels() -> [StoredModel] {
        let directory = modelsDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".gguf") }.compactMap { fileName -> StoredModel? in
            let path = directory.appendingPathComponent(fileName).path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
            let file = try? GGUFFile(contentsOf: path)
            return StoredModel(
                name: catalog.first { $0.fileName == fileName }?.name ?? fileName,
                path: path,
                size: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                modified: attributes[.modificationDate] as? Date ?? Date(timeIntervalSince1970: 0),
                quantization: file.map(Quantization.name(of:)),
                family: file.flatMap { (try? $0.metadata.optionalString("general.architecture")) ?? nil })
        }.sorted { $0.name < $1.name }
    }

    /// The details of a model in the store, or of any `.gguf` path.
    /// - Throws: `StoreError.notInStore`, `.unknownModel`, or `.unreadableModel`.
    public static func details(of nameOrPath: String) throws(StoreError) -> ModelDetails {
        try ModelDetails(path: existingPath(for: nameOrPath))
    }

    /// Deletes a model from the store, with what an unfinished pull of it left behind
    /// (the `.partial` model and, for catalog models, its downloaded wheels).
    ///
    /// Only files inside the store are deleted: `nameOrFile` is a store name or the name
    /// of a file in `modelsDirectory`, never a path.
    /// - Returns: the deleted paths.
    /// - Throws: `StoreError.busy` while the model is being pulled; `.notInStore` when
    ///   there was nothing to delete.
    @discardableResult
    public static func remove(_ nameOrFile: String) throws(StoreError) -> [String] {
        let entry = entry(named: nameOrFile)
        var fileName = entry?.fileName ?? nameOrFile
        if entry == nil {
            guard !nameOrFile.contains("/"), !nameOrFile.hasPrefix(".") else {
                throw .notInStore(nameOrFile, path: modelsDirectory.path)
            }
            if StoreFS.size(modelsDirectory.appendingPathComponent(fileName).path) == nil,
               StoreFS.size(modelsDirectory.appendingPathComponent(fileName + ".gguf").path) != nil {
                fileName += ".gguf"
            }
        }
        let model = modelsDirectory.appendingPathComponent(fileName).path
        var candidates = [model, model + ".partial"]
        if let entry {
            let downloads = (try? FileManager.default.contentsOfDirectory(atPath: downloadsDirectory.path)) ?? []
            candidates += downloads.filter { isWheel($0, of: entry) }.map { downloadsDirectory.appendingPathComponent($0).path }
        }
        return try StoreLock(for: nameOrFile, file: fileName).holding { () throws(StoreError) in
            var removed: [String] = []
            for path in candidates where StoreFS.size(path) != nil {
                try StoreFS.remove(path)
                removed.append(path)
            }
            guard !removed.isEmpty else {
                throw .notInStore(nameOrFile, path: model)
            }
            return removed
        }
    }

    /// Whether `fileName` (in the downloads folder) is a wheel, finished or partial, of one of `entry`'s packages.
    static func isWheel(_ fileName: String, of entry: Entry) -> Bool {
        let parts = fileName.split(separator: "-", maxSplits: 2)
        guard parts.count == 3, parts[1] == entry.version,
              fileName.hasSuffix(".whl") || fileName.hasSuffix(".whl.partial") else { return false }
        let distribution = PackageIndex.normalized(String(parts[0]))
        return entry.packages.contains { PackageIndex.normalized($0) == distribution }
    }
}
