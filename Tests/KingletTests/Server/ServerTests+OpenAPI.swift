// Pins down /openapi.json: it documents exactly the routes the server has, live answers of every operation match
// it, and schemathesis, fuzzing from it, finds no 5xx and no answer the document does not allow.
import Foundation
@testable import KingletServer
import Testing

extension ServerTests {
    /// Every route of a server started with `--metrics`, as `[path, METHOD]` pairs.
    static var documentedRoutes: [[String]] {
        let routes = KingletServer.routes.merging(["/metrics": [.get], "/openapi.json": [.get]]) { served, _ in served }
        return routes.flatMap { path, methods in methods.map { [path, $0.rawValue] } }
    }

    @Test func openAPIDocumentMatchesTheRoutesAndTheirAnswers() throws {
        let server = try ServerProcess(["--context", "1024", "--parallel", "1", "--api-key", "test-key", "--metrics",
                                        "--max-body-bytes", "65536"])
        defer { server.stop() }
        try runChecks("openapi_checks.py",
                      input: ["port": server.port, "key": "test-key", "model": Self.model, "routes": Self.documentedRoutes, "max_body": 65536],
                      expecting: ["openapi_3_1", "operations_are_the_routes", "health", "models", "models_unauthorized", "chat",
                                  "chat_logprobs_n", "chat_tool_call", "chat_stream", "chat_stream_tool_call", "chat_bad_request",
                                  "chat_unknown_model", "chat_unauthorized", "chat_too_large", "chat_not_json", "completion",
                                  "completion_tokens_stream", "completion_bad_request", "completion_bad_logprobs",
                                  "completion_fractional_n", "tokenize", "tokenize_bad_request",
                                  "detokenize", "detokenize_bad_request", "messages", "messages_stream", "messages_tool_use",
                                  "messages_stream_tool_use", "messages_bad_request", "messages_unknown_model",
                                  "messages_unauthorized", "count_tokens", "metrics", "openapi"],
                      server: server)
    }

    /// Bounded to a few minutes on two cores: few examples per operation, a small context, and hooks that cap
    /// `max_tokens` and `n` of valid requests (schemathesis_hooks.py).
    @Test func schemathesisFindsNoFaultAgainstTheDocument() throws {
        let server = try ServerProcess(["--context", "256", "--parallel", "1", "--api-key", "test-key", "--metrics"])
        defer { server.stop() }
        let hooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("schemathesis_hooks.py")
        try runChecks("schemathesis_checks.py",
                      input: ["port": server.port, "key": "test-key", "hooks": hooks.path, "max_examples": 10, "min_cases": 200],
                      expecting: ["schemathesis_passed", "schemathesis_ran"], server: server)
    }
}
