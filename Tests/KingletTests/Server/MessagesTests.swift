// Pins down `/v1/messages` with the real 0.5B model as the official `anthropic` client sees it: text and streams
// that add up to the same message, usage and stops, tool round trips under every tool_choice, and Anthropic's errors.
import Testing

extension ServerTests {
    @Test func anthropicClientSeesTheMessagesAPI() throws {
        let server = try ServerProcess(["--context", "1024", "--parallel", "1", "--api-key", "test-key"])
        defer { server.stop() }
        try runChecks("openai_support.py", "anthropic_checks.py", input: ["port": server.port, "key": "test-key", "model": Self.model, "context": 1024],
                      expecting: ["text_non_stream", "stream_equals_non_stream", "stream_event_order", "usage_counts", "sse_named_events",
                                  "stop_sequence", "stop_sequence_stream", "max_tokens", "system_honoured",
                                  "tool_use_non_stream", "round_trip_non_stream", "tool_use_stream", "tool_use_stream_equals_non_stream",
                                  "round_trip_stream", "choice_any", "choice_any_stream", "choice_named_tool", "disable_parallel_one_call",
                                  "choice_none", "too_long_is_bad_request", "wrong_types_are_bad_requests",
                                  "wrong_key_is_authentication_error", "unknown_model_is_not_found",
                                  "bearer_accepted_and_shapes_per_route", "serving_after_errors"],
                      server: server)
    }
}
