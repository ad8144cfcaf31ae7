import GGUF

/// Every architecture Kinglet runs, found by GGUF `general.architecture`.
public enum ArchitectureRegistry {
    static let families: [any ArchitectureFamily.Type] = [Llama.self, Qwen2.self, Qwen3.self, Gemma3.self, Phi3.self, SmolLM3.self, Qwen35.self]

    /// All supported `general.architecture` names.
    public static var supportedNames: [String] { families.flatMap { $0.ggufNames } }

    public static func family(named name: String) -> (any ArchitectureFamily.Type)? {
        families.first { $0.ggufNames.contains(name) }
    }

    /// Loads the architecture that `source` declares.
    ///
    /// - Throws: `ModelError.unsupportedArchitecture` naming it when Kinglet does not run it.
    public static func load(_ source: any WeightSource, options: LoadOptions = LoadOptions()) throws(ModelError) -> any Architecture {
        let name: String
        do { name = try source.metadata.string("general.architecture") } catch { throw .file(error) }
        guard let family = family(named: name) else {
            throw .unsupportedArchitecture(name, supported: supportedNames)
        }
        return try family.load(source, options: options)
    }
}
