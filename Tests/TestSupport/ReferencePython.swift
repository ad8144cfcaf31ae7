// Shared by every test target: where the independent Python references (scripts/python-env) live.
import Foundation

/// The virtualenv Python that `scripts/python-env` sets up with the reference packages
/// (`gguf`, `numpy`, `tokenizers`, `jinja2`, `jsonschema`, `openai`, and `torch` + `transformers` +
/// `safetensors` for the tiny random models the architectures are checked against).
public enum ReferencePython {
    /// `$KINGLET_HOME`, or `~/.cache/kinglet`.
    public static var kingletHome: URL {
        if let home = ProcessInfo.processInfo.environment["KINGLET_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kinglet")
    }

    /// `$KINGLET_PYTHON`, else `$KINGLET_HOME/venv/bin/python`.
    public static var path: String {
        if let python = ProcessInfo.processInfo.environment["KINGLET_PYTHON"], !python.isEmpty { return python }
        return kingletHome.appendingPathComponent("venv/bin/python").path
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Whether the reference Python exists, or an error saying how to get it.
    public static func check() throws {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure(description: "no Python at \(path): run scripts/python-env (or set KINGLET_PYTHON)")
        }
    }

    /// Runs `script` (`python -c`) with `arguments` and `input` on standard input; returns its standard output.
    /// - Throws: `Failure` with the script's standard error when it exits non-zero.
    public static func run(_ script: String, arguments: [String] = [], input: Data = Data()) throws -> Data {
        try check()
        // Standard error goes to a file, so neither pipe can fill up while the other is read.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-python-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", script] + arguments
        let out = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = stdin
        try process.run()
        // Write from another thread: a script that prints before reading all its input must not deadlock.
        Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }.start()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw Failure(description: "python exited with \(process.terminationStatus): \(errors)")
        }
        return output
    }
}
