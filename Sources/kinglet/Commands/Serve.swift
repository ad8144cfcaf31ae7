import ArgumentParser
import Foundation
import Kinglet
import KingletServer

extension KingletCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the model over an OpenAI-compatible HTTP API.",
            discussion: """
                Endpoints: POST /v1/chat/completions, POST /v1/completions, POST /v1/messages (Anthropic), \
                GET /v1/models, POST /tokenize, POST /detokenize, GET /health, GET /openapi.json (the API's \
                OpenAPI 3.1 document), and GET /metrics (Prometheus) with --metrics. Prints \
                'listening on http://HOST:PORT' once the socket listens (--port 0 picks a free port), then \
                loads the model (503 with Retry-After until then) and prints 'model loaded: ID'. Stops on \
                Ctrl-C or SIGTERM.
                """)

        @OptionGroup var model: ModelOptions

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on (0: any free port).")
        var port = 8080

        @Option(help: "Requests that generate at once, decoding together in one batched forward pass per step (continuous batching); each sequence holds a whole --context.")
        var parallel = 4

        @Option(help: "Requests that may wait for a slot (default: 4 × --parallel); more get 503.")
        var queue: Int?

        @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' (or Anthropic's 'x-api-key: KEY') on every request but /health.")
        var apiKey: String?

        @Option(name: .customLong("api-key-file"), help: ArgumentHelp("Read the API key from this file (first line).", valueName: "FILE"))
        var apiKeyFile: String?

        @Option(name: .customLong("max-body-bytes"), help: ArgumentHelp("Refuse larger request bodies with 413 (e.g. 8M).", valueName: "SIZE"))
        var maxBodyBytes = "8M"

        @Flag(help: "Serve Prometheus metrics at GET /metrics.")
        var metrics = false

        @Option(name: .customLong("load-delay"), help: ArgumentHelp("Wait this many seconds before loading the model (for testing clients against a loading server).", visibility: .hidden))
        var loadDelay: Double = 0

        @Option(name: .customLong("cors-origin"), help: ArgumentHelp("Let browsers call the API from this origin (e.g. https://app.example.com, or * for any).", valueName: "ORIGIN"))
        var corsOrigin: String?

        func validate() throws {
            guard (1...256).contains(parallel) else { throw ValidationError("--parallel must be 1…256") }
            if let queue, queue < 0 { throw ValidationError("--queue must be ≥ 0") }
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            guard parseByteCount(maxBodyBytes) != nil else {
                throw ValidationError("--max-body-bytes wants a size like 8M or 1048576; got '\(maxBodyBytes)'")
            }
            if apiKey != nil && apiKeyFile != nil { throw ValidationError("give --api-key or --api-key-file, not both") }
        }

        func run() async throws {
            var key = apiKey
            if let apiKeyFile {
                let line = try readText(apiKeyFile).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
                key = line.trimmingCharacters(in: .whitespaces)
                guard key?.isEmpty == false else { throw CommandFailure("\(apiKeyFile) holds no API key") }
            }
            // The server listens at once and answers 503 until the model is loaded (as llama.cpp does).
            let options = model
            let parallel = parallel, loadDelay = loadDelay
            let server = KingletServer(
                configuration: ServerConfiguration(host: host, port: port, parallel: parallel, queueLimit: queue,
                                                   apiKey: key, maxBodyBytes: parseByteCount(maxBodyBytes)!,
                                                   metrics: metrics, corsOrigin: corsOrigin)) {
                if loadDelay > 0 { Thread.sleep(forTimeInterval: loadDelay) }
                return ServedModel(try options.load(), name: options.model, parallel: parallel)
            }
            do {
                try await server.run(onListening: { host, port in writeOut("listening on http://\(host):\(port)\n") },
                                     onLoaded: { served in writeOut("model loaded: \(served.id)\n") })
            } catch let error as KingletError {
                throw CommandFailure(error.description)
            } catch let error as CommandFailure {
                throw error
            } catch {
                throw CommandFailure("cannot serve on \(host):\(port): \(error)")
            }
        }
    }
}
