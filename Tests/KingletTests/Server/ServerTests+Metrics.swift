// Pins down `kinglet serve --metrics`: GET /metrics is Prometheus text whose counters agree with the usage the
// responses reported, and without the flag the route does not exist.
import Foundation
import Testing

extension ServerTests {
    @Test func metricsAgreeWithTheReportedUsage() throws {
        let server = try ServerProcess(["--context", "512", "--parallel", "1", "--metrics"])
        defer { server.stop() }
        let plain = try ServerProcess(["--context", "64"])
        defer { plain.stop() }
        try runChecks("metrics_checks.py", input: ["port": server.port, "model": Self.model, "plain_port": plain.port],
                      expecting: ["chat_0", "chat_1", "completion_stream", "served", "parses", "requests_chat_200",
                                  "requests_completions_200", "requests_chat_400", "requests_unknown_route_404", "prompt_tokens",
                                  "cached_prompt_tokens", "generated_tokens", "generated_some", "time_to_first_token_count",
                                  "time_to_first_token_plausible", "decode_speed_recorded", "types", "idle_gauges",
                                  "scrapes_counted", "absent_without_flag"],
                      server: server)
    }
}
