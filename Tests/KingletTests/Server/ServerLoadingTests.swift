// The server listens before its model is loaded, and says so: `/health` and the routes that need the
// model answer 503 with Retry-After (what a load balancer or Kubernetes readiness probe waits on),
// the static OpenAPI document is served, and once the load finishes everything answers. A load that
// fails ends the server with its error.
import Foundation
import Kinglet
import KingletServer
import TestSupport
import Testing

@Suite struct ServerLoadingTests {
    @Test func answers503UntilTheModelIsLoaded() throws {
        // The hidden --load-delay holds the load for a few seconds, so the loading state can be seen.
        let server = try ServerProcess(["--context", "256", "--parallel", "1", "--load-delay", "4"], until: "listening on http://")
        defer { server.stop() }
        let script = """
            import http.client, json, sys, time
            port = json.load(sys.stdin)["port"]
            def call(method, path, body=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request(method, path, body=json.dumps(body) if body else None, headers={"Content-Type": "application/json"})
                r = c.getresponse(); data = r.read(); c.close()
                code = json.loads(data).get("error", {}).get("code") if r.status >= 400 else None
                return [r.status, r.getheader("Retry-After"), code]
            def probe():
                return {"health": call("GET", "/health"), "models": call("GET", "/v1/models"),
                        "chat": call("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}),
                        "openapi": call("GET", "/openapi.json")}
            loading = probe()
            deadline = time.monotonic() + 60
            while call("GET", "/health")[0] != 200 and time.monotonic() < deadline:
                time.sleep(0.1)
            json.dump({"loading": loading, "ready": probe()}, sys.stdout)
            """
        let output = try ReferencePython.run(script, input: try JSONSerialization.data(withJSONObject: ["port": server.port]))
        let results = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [String: [Any]]])
        let loading = try #require(results["loading"]), ready = try #require(results["ready"])
        for route in ["health", "models", "chat"] {
            #expect(loading[route]?[0] as? Int == 503, "\(route): \(loading[route] ?? [])")
            #expect(loading[route]?[1] as? String == "1")
            #expect(loading[route]?[2] as? String == "model_loading")
        }
        #expect(loading["openapi"]?[0] as? Int == 200)
        for route in ["health", "models", "chat", "openapi"] {
            #expect(ready[route]?[0] as? Int == 200, "\(route): \(ready[route] ?? [])")
        }
    }

    @Test func aModelThatCannotBeLoadedEndsTheServerWithItsError() throws {
        let result = try TestEnvironment.runKinglet(["serve", "-m", "/nonexistent/model.gguf", "--port", "0"])
        #expect(result.status != 0)
        #expect(result.out.contains("listening on http://"))
        #expect(result.err.contains("/nonexistent/model.gguf"), "\(result.err)")
    }

    @Test func aFailedLoadEndsTheRunWithItsError() async throws {
        struct NoModel: Error {}
        let server = KingletServer(configuration: .init(port: 0, parallel: 1)) { throw NoModel() }
        await #expect(throws: NoModel.self) {
            try await server.run(onListening: { _, _ in })
        }
    }
}
