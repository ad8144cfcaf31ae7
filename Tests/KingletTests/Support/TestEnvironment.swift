// Where the real models, the shared conformance data and the built `kinglet` binary are.
import Foundation
import Kinglet
import Templates

enum TestEnvironment {
    /// The repository root (this file is at Tests/KingletTests/Support/).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$KINGLET_CONFORMANCE`, or `../shared/conformance` beside the repository.
    static var conformance: URL {
        if let dir = ProcessInfo.processInfo.environment["KINGLET_CONFORMANCE"] { return URL(fileURLWithPath: dir) }
        return repository.deletingLastPathComponent().appendingPathComponent("shared/conformance")
    }

    struct MissingFixture: Error, CustomStringConvertible { let description: String }

    /// The path of a store model, or an error saying how to fetch it.
    static func modelPath(_ name: String) throws -> String {
        let path = ModelStore.path(for: name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw MissingFixture(description: "\(path) is missing: run kinglet pull \(name) (scripts/test does)")
        }
        return path
    }

    /// A new, empty directory to use as `KINGLET_HOME`, so tests never touch the real store.
    static func temporaryHome(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `kinglet` executable built next to the test bundle.
    static var kingletBinary: URL {
        get throws {
            var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            // swift-testing may run inside the .xctest bundle directory.
            for _ in 0..<3 {
                let candidate = dir.appendingPathComponent("kinglet")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir.deleteLastPathComponent()
            }
            throw MissingFixture(description: "the kinglet executable was not built next to the tests (run scripts/test)")
        }
    }

    /// Runs `kinglet` with `arguments`; returns exit status, standard output and standard error.
    /// `environment` entries (for example `KINGLET_HOME`) are added to this process's environment.
    static func runKinglet(_ arguments: [String], stdin: String? = nil,
                           environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try kingletBinary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a full pipe cannot deadlock the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}

/// One record of `conformance/greedy/*.jsonl`.
struct GreedyRecord: Decodable {
    struct TopLogprob: Decodable { let id: Int32; let logit: Float; let logprob: Float }
    let prompt_id: String
    let rendered_prompt: String
    let add_bos: Bool
    let parse_special: Bool
    let prompt_ids: [Int32]
    let gen_ids: [Int32]
    let stopped_at_eog: Bool
    let top_logprobs: [TopLogprob]
    /// The conversation, for chat records; kept as raw JSON so key order survives.
    let messages: [AnyCodableMessage]?

    struct AnyCodableMessage: Decodable {
        let role: String
        let content: String
    }

    /// The messages as template values (`role` then `content`, as in the file).
    func messageValues() throws -> [TemplateValue] {
        (messages ?? []).map { ["role": .string($0.role), "content": .string($0.content)] }
    }

    static func load(_ file: String) throws -> [GreedyRecord] {
        let url = TestEnvironment.conformance.appendingPathComponent("greedy/\(file)")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(GreedyRecord.self, from: Data($0.utf8)) }
    }
}

