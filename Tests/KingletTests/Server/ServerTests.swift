// Pins down `kinglet serve` on the wire with the real 0.5B model: the official `openai` client's view of every
// endpoint, precise errors for hostile input, and a client leaving mid-stream freeing its slot at once.
import Foundation
import Kinglet
import Synchronization
import TestSupport
import Testing

/// A `kinglet serve` child process on a free loopback port, stopped by `stop()` (call it in a `defer`).
final class ServerProcess: Sendable {
    let port: Int
    private let process: Process
    private let logFile: URL

    /// - Parameters:
    ///   - model: a model path; the suite's model by default.
    ///   - readyLine: the line to wait for; by default the one that says the model is loaded.
    init(_ arguments: [String], model: String? = nil, until readyLine: String = "model loaded: ") throws {
        process = Process()
        process.executableURL = try TestEnvironment.kingletBinary
        process.arguments = ["serve", "-m", try model ?? TestEnvironment.modelPath(ServerTests.model), "--port", "0"] + arguments
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
        // The server prints "listening on http://127.0.0.1:PORT" once the socket listens, then "model loaded: ID".
        let line = Mutex("")
        let ready = DispatchSemaphore(value: 0)
        Thread {
            var text = ""
            while !text.contains(readyLine) || !text.hasSuffix("\n") {
                let data = out.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            line.withLock { $0 = text }
            ready.signal()
        }.start()
        let announced = ready.wait(timeout: .now() + 60) == .success ? line.withLock { $0 } : ""
        guard let range = announced.range(of: "listening on http://127.0.0.1:"),
              let port = Int(announced[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            process.waitUntilExit()
            throw TestEnvironment.MissingFixture(description: "the server did not start: \(announced) \((try? String(contentsOf: logFile, encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    var pid: Int { Int(process.processIdentifier) }

    /// What the server wrote to standard error.
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGTERM (graceful: in-flight requests finish), then SIGKILL after 5 s.
    func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logFile)
    }
}

@Suite(.serialized) struct ServerTests {
    static let model = "qwen2.5-coder:0.5b"

    struct Report: Decodable {
        struct Check: Decodable { let ok: Bool; let detail: String }
        let checks: [String: Check]
    }

    /// Runs Python check scripts beside this file, joined into one, against `server` and expects every check to pass.
    func runChecks(_ scripts: String..., input: [String: Any], expecting names: [String], server: ServerProcess) throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let source = try scripts.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let output = try ReferencePython.run(source, input: try JSONSerialization.data(withJSONObject: input))
        let report = try JSONDecoder().decode(Report.self, from: output)
        for name in names {
            let check = report.checks[name]
            #expect(check?.ok == true, "\(name): \(check?.detail ?? "not run")\nserver log:\n\(server.log.suffix(2000))")
        }
        for (name, check) in report.checks where !names.contains(name) {
            #expect(check.ok, "\(name): \(check.detail)")
        }
    }

    @Test func officialClientSeesAnOpenAIServer() throws {
        let server = try ServerProcess(["--context", "1024", "--parallel", "2", "--api-key", "test-key"])
        defer { server.stop() }
        try runChecks("openai_support.py", "openai_client_checks.py", input: ["port": server.port, "key": "test-key", "model": Self.model, "context": 1024],
                      expecting: ["models_list", "chat_deterministic", "chat_usage", "chat_stream_equals_non_stream",
                                  "chat_stream_role_first", "chat_stream_finish", "chat_stream_usage", "chat_stream_ids",
                                  "stream_never_splits_utf8",
                                  "stop_honoured", "max_tokens_length", "max_completion_tokens_length",
                                  "response_format_json_schema", "response_format_json_object", "logprobs", "logit_bias",
                                  "n_choices", "seed_reproducible_alongside_others", "completions", "completions_echo",
                                  "completions_token_prompt", "completions_stream", "detokenize", "too_long_is_bad_request",
                                  "wrong_key_is_authentication_error", "unknown_model_is_not_found", "serving_after_errors"],
                      server: server)
    }

    @Test func toolCallsWithTheOfficialClient() throws {
        let server = try ServerProcess(["--context", "2048", "--parallel", "1"])
        defer { server.stop() }
        try runChecks("openai_support.py", "tool_call_checks.py", input: ["port": server.port, "model": Self.model, "model_path": try TestEnvironment.modelPath(Self.model)],
                      expecting: ["required_calls_a_tool", "required_stream_equals_non_stream", "stream_first_tool_delta_shape",
                                  "named_calls_that_function", "named_stream", "parallel_false_one_call",
                                  "auto_calls_for_weather", "auto_prompt_matches_hf", "auto_stream_equals_non_stream",
                                  "round_trip_final_answer", "round_trip_prompt_matches_hf",
                                  "none_never_calls", "none_renders_tools", "none_stream", "stream_with_tools_utf8_and_logprobs", "n_choices_each_call",
                                  "bad_tool_requests_are_400_naming_the_field", "kwargs_accepted", "serving_after_tool_errors"],
                      server: server)
    }

    @Test func hostileRequestsGetPreciseErrorsAndTheServerKeepsServing() throws {
        let server = try ServerProcess(["--context", "512", "--parallel", "1", "--max-body-bytes", "65536"])
        defer { server.stop() }
        try runChecks("raw_http_checks.py", input: ["port": server.port, "model": Self.model, "max_body": 65536],
                      expecting: ["malformed_json", "not_json_at_all", "wrong_type_messages", "wrong_type_temperature",
                                  "wrong_type_nested_content", "missing_messages", "bad_role", "out_of_range_top_p",
                                  "bad_token_ids", "invalid_utf8", "deeply_nested_json", "body_too_large",
                                  "unknown_route", "wrong_method",
                                  "wrong_method_allow_header", "unknown_fields_ignored_and_parts_joined", "sse_framing",
                                  "tokenize_round_trip", "context_full_is_length", "health_after_errors"],
                      server: server)
    }

    @Test func apiKeyFileGuardsEverythingButHealth() throws {
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("kinglet-key-\(UUID().uuidString)")
        try "s3cret-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keyFile) }
        let server = try ServerProcess(["--context", "256", "--api-key-file", keyFile.path])
        defer { server.stop() }
        let script = """
            import http.client, json, sys
            port = json.load(sys.stdin)["port"]
            def status(path, auth=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", path, headers={"Authorization": auth} if auth else {})
                r = c.getresponse(); body = r.read(); c.close()
                return [r.status, r.getheader("WWW-Authenticate"), json.loads(body).get("error", {}).get("type")]
            json.dump({"health": status("/health"), "none": status("/v1/models"),
                       "wrong": status("/v1/models", "Bearer nope"), "basic": status("/v1/models", "Basic s3cret-key"),
                       "right": status("/v1/models", "Bearer s3cret-key"),
                       "unknown_route_unauthenticated": status("/v1/nothing")}, sys.stdout)
            """
        let output = try ReferencePython.run(script, input: try JSONSerialization.data(withJSONObject: ["port": server.port]))
        let results = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [Any]])
        #expect(results["health"]?.first as? Int == 200)
        #expect(results["right"]?.first as? Int == 200)
        for name in ["none", "wrong", "basic", "unknown_route_unauthenticated"] {
            #expect(results[name]?.first as? Int == 401, "\(name): \(results[name] ?? [])")
            #expect(results[name]?[1] as? String == "Bearer")
            #expect(results[name]?[2] as? String == "authentication_error")
        }
    }

    /// `--cors-origin`: a browser app at that origin passes the preflight (the SDKs' headers allowed) and can read
    /// answers and errors; another origin, or a server without the flag, gets no CORS headers.
    @Test func corsLetsTheConfiguredOriginIn() throws {
        let script = """
            import http.client, json, sys
            port = json.load(sys.stdin)["port"]
            def call(method, path, headers, body=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request(method, path, body=json.dumps(body) if body else None, headers=headers)
                r = c.getresponse(); r.read(); c.close()
                return [r.status, r.getheader("Access-Control-Allow-Origin"), r.getheader("Access-Control-Allow-Headers") or ""]
            app, evil = {"Origin": "https://app.example"}, {"Origin": "https://evil.example"}
            preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type,x-stainless-os"}
            chat = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}
            key = {"Authorization": "Bearer k", "Content-Type": "application/json"}
            json.dump({"preflight": call("OPTIONS", "/v1/chat/completions", {**app, **preflight}),
                       "chat": call("POST", "/v1/chat/completions", {**app, **key}, chat),
                       "unauthorized": call("POST", "/v1/chat/completions", {**app, "Content-Type": "application/json"}, chat),
                       "other_origin": call("POST", "/v1/chat/completions", {**evil, **key}, chat)}, sys.stdout)
            """
        func run(_ arguments: [String]) throws -> [String: [Any]] {
            let server = try ServerProcess(["--context", "256", "--parallel", "1", "--api-key", "k"] + arguments)
            defer { server.stop() }
            let output = try ReferencePython.run(script, input: try JSONSerialization.data(withJSONObject: ["port": server.port]))
            return try #require(try JSONSerialization.jsonObject(with: output) as? [String: [Any]])
        }
        let cors = try run(["--cors-origin", "https://app.example"])
        #expect(cors["preflight"]?[0] as? Int == 204)
        #expect(cors["preflight"]?[1] as? String == "https://app.example")
        let allowed = (cors["preflight"]?[2] as? String ?? "").lowercased()
        #expect(allowed.contains("authorization") && allowed.contains("x-stainless-os") && allowed.contains("x-api-key"), "\(allowed)")
        #expect(cors["chat"]?[0] as? Int == 200)
        #expect(cors["chat"]?[1] as? String == "https://app.example")
        #expect(cors["unauthorized"]?[0] as? Int == 401)
        #expect(cors["unauthorized"]?[1] as? String == "https://app.example")
        #expect(cors["other_origin"]?[0] as? Int == 200)
        #expect(cors["other_origin"]?[1] is NSNull)
        let plain = try run([])
        #expect(plain["preflight"]?[0] as? Int == 401)   // an OPTIONS request without the key, like any other
        #expect(plain["preflight"]?[1] is NSNull)
        #expect(plain["chat"]?[1] is NSNull)
    }

    @Test func clientLeavingCancelsItsGeneration() throws {
        let server = try ServerProcess(["--context", "2048", "--parallel", "1", "--queue", "0"])
        defer { server.stop() }
        try runChecks("disconnect_checks.py", input: ["port": server.port, "model": Self.model, "pid": server.pid],
                      expecting: ["stream", "non_stream"].flatMap { kind in
                          ["started", "busy_is_503_with_retry_after", "slot_freed_and_cancelled",
                           "generation_stopped_server_idle", "next_request_completes"].map { "\(kind)_\($0)" }
                      },
                      server: server)
        #expect(server.log.contains("the client went away after"), "server log:\n\(server.log)")
        #expect(server.log.contains("the client went away before the answer was complete"), "server log:\n\(server.log)")
    }

    /// Continuous batching under load: 16 streaming clients on 8 sequences for two minutes, a quarter
    /// of them leaving mid-stream (see load_checks.py for what is checked).
    @Test func sixteenStreamingClientsForTwoMinutes() throws {
        let server = try ServerProcess(["--context", "1024", "--parallel", "8", "--queue", "32"])
        defer { server.stop() }
        try runChecks("load_checks.py", input: ["port": server.port, "model": Self.model, "pid": server.pid, "seconds": 120, "clients": 16],
                      expecting: ["ran_long_enough", "no_client_errors", "repeats_identical_under_load", "each_equals_alone",
                                  "partial_streams_are_prefixes", "slots_back_to_baseline", "memory_back_to_baseline",
                                  "serving_after_load", "throughput"],
                      server: server)
    }
}
