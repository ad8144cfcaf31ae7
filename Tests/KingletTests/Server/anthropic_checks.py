# Drives a running `kinglet serve` (Qwen2.5-Coder-0.5B) through `/v1/messages` with the official `anthropic` client:
# text, streaming, usage, stops, tools (round trips, every tool_choice), errors; reports each check as JSON.
# stdin: {"port": int, "model": str, "key": str, "context": int}; stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
# (openai_support.py runs first: config, base, client (openai), model, check, run, post, post_status.)
import http.client
import anthropic
import jsonschema

claude = anthropic.Anthropic(base_url=base, api_key=config["key"], max_retries=0, timeout=300)
# This SDK no longer has `temperature` among create's arguments; the API (and Kinglet) still takes it.
T0 = {"extra_body": {"temperature": 0}}

WEATHER_SCHEMA = {"type": "object", "properties": {
    "city": {"type": "string", "description": "City name, e.g. Paris"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}
TIME_SCHEMA = {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]}
TOOLS = [{"name": "get_weather", "description": "Get the current weather in a city.", "input_schema": WEATHER_SCHEMA},
         {"name": "get_time", "description": "Get the current time in a timezone.", "input_schema": TIME_SCHEMA}]
OPENAI_TOOLS = [{"type": "function", "function": {"name": t["name"], "description": t["description"], "parameters": t["input_schema"]}}
                for t in TOOLS]
SCHEMAS = {t["name"]: t["input_schema"] for t in TOOLS}
SYSTEM = "You are a helpful assistant. Use the tools when they help."
WEATHER = [{"role": "user", "content": "What is the weather like in Paris right now?"}]
CHAT = [{"role": "user", "content": "Hello! Please tell me a joke about cats."}]


def chat_prompt_tokens(messages, tools=None):
    """The chat route's prompt_tokens for the same conversation in OpenAI's shape."""
    extra = {"tools": tools} if tools else {}
    return post("/v1/chat/completions", {"model": model, "messages": messages, "max_tokens": 1, **extra})["usage"]["prompt_tokens"]


def shape(message):
    """A message without its ids (nor how much of its prompt a repeat found cached), for comparing a streamed answer
    with a whole one."""
    blocks = [{k: v for k, v in b.model_dump().items() if k != "id" and v is not None} for b in message.content]
    return {"content": blocks, "stop_reason": message.stop_reason, "stop_sequence": message.stop_sequence,
            "usage": (message.usage.input_tokens, message.usage.output_tokens),
            "role": message.role, "type": message.type, "model": message.model}


def streamed(**request):
    """The stream's final message as the SDK accumulates it, and the event types in order."""
    with claude.messages.stream(**request) as stream:
        kinds = [event.type for event in stream]
        return stream.get_final_message(), kinds


def tool_uses(message, names=None):
    """The tool_use blocks, each naming a declared tool with input valid for its schema; none when any is not."""
    uses = [b for b in message.content if b.type == "tool_use"]
    for use in uses:
        if not use.id.startswith("toolu_") or use.name not in (names or SCHEMAS):
            return []
        jsonschema.validate(use.input, SCHEMAS[use.name])
    return uses


def no_tags(message):
    return all("<tool_call>" not in b.text and "</tool_call>" not in b.text for b in message.content if b.type == "text")


def text_of(message):
    return "".join(b.text for b in message.content if b.type == "text")


def text():
    r = claude.messages.create(model=model, max_tokens=24, **T0, messages=CHAT)
    check("text_non_stream", r.type == "message" and r.role == "assistant" and r.id.startswith("msg_") and r.model == model
          and [b.type for b in r.content] == ["text"] and r.content[0].text and r.stop_reason in ("end_turn", "max_tokens"), r)
    final, kinds = streamed(model=model, max_tokens=24, **T0, messages=CHAT)
    check("stream_equals_non_stream", shape(final) == shape(r), f"{shape(final)} vs {shape(r)}")
    check("stream_event_order", kinds[:2] == ["message_start", "content_block_start"] and kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
          and set(kinds[2:-3]) <= {"content_block_delta", "text"}, kinds)
    same = post("/v1/chat/completions", {"model": model, "messages": CHAT, "max_tokens": 24, "temperature": 0})
    counted = claude.messages.count_tokens(model=model, messages=CHAT).input_tokens
    # The chat request repeats the prompt, which the prefix cache holds by now.
    check("usage_counts", r.usage.input_tokens == same["usage"]["prompt_tokens"] == counted
          and r.usage.output_tokens == same["usage"]["completion_tokens"] and r.usage.cache_read_input_tokens == 0
          and final.usage.cache_read_input_tokens == same["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
          and r.content[0].text == same["choices"][0]["message"]["content"], f"{r.usage} vs chat {same['usage']}, count_tokens {counted}")
run("text_non_stream", text)


def raw_stream():
    # The wire itself: named events, a ping after message_start, no OpenAI [DONE].
    connection = http.client.HTTPConnection("127.0.0.1", config["port"], timeout=300)
    connection.request("POST", "/v1/messages", body=json.dumps({"model": model, "max_tokens": 3, "stream": True, "messages": CHAT}),
                       headers={"Content-Type": "application/json", "x-api-key": config["key"]})
    response = connection.getresponse()
    body = response.read().decode()
    events = [e for e in body.split("\n\n") if e.strip()]
    names = [e.split("\n")[0] for e in events]
    datas = [json.loads(e.split("\n")[1][len("data: "):]) for e in events]
    check("sse_named_events", response.status == 200 and response.getheader("Content-Type") == "text/event-stream"
          and names[:2] == ["event: message_start", "event: ping"] and names[-1] == "event: message_stop"
          and all(n == f"event: {d['type']}" for n, d in zip(names, datas)) and "[DONE]" not in body, body)
run("sse_named_events", raw_stream)


def stops():
    count = [{"role": "user", "content": "Count from 1 to 20, separated by commas."}]
    whole = text_of(claude.messages.create(model=model, max_tokens=40, **T0, messages=count))
    cut = claude.messages.create(model=model, max_tokens=40, **T0, messages=count, stop_sequences=["5", "never-there"])
    check("stop_sequence", "5" in whole and text_of(cut) == whole[:whole.index("5")] and cut.stop_reason == "stop_sequence"
          and cut.stop_sequence == "5", f"{whole!r} {cut}")
    final, _ = streamed(model=model, max_tokens=40, **T0, messages=count, stop_sequences=["5", "never-there"])
    check("stop_sequence_stream", shape(final) == shape(cut), final)
    r = claude.messages.create(model=model, max_tokens=3, **T0, messages=CHAT)
    check("max_tokens", r.stop_reason == "max_tokens" and r.stop_sequence is None and r.usage.output_tokens == 3, r)
run("stop_sequence", stops)


def system_prompt():
    pirate = "You are a pirate. Start every answer with 'Arr'."
    r = claude.messages.create(model=model, max_tokens=12, **T0, system=pirate, messages=CHAT)
    as_blocks = claude.messages.create(model=model, max_tokens=12, **T0, messages=CHAT,
                                       system=[{"type": "text", "text": pirate}])
    check("system_honoured", text_of(r).startswith("Arr") and text_of(as_blocks) == text_of(r)
          and r.usage.input_tokens == chat_prompt_tokens([{"role": "system", "content": pirate}] + CHAT), r)
run("system_honoured", system_prompt)


def round_trip(stream):
    request = dict(model=model, max_tokens=120, **T0, system=SYSTEM, tools=TOOLS, messages=WEATHER)
    first = streamed(**request)[0] if stream else claude.messages.create(**request)
    uses = tool_uses(first, ["get_weather"])
    name = "stream" if stream else "non_stream"
    check(f"tool_use_{name}", uses and first.stop_reason == "tool_use" and no_tags(first)
          and first.usage.input_tokens == chat_prompt_tokens([{"role": "system", "content": SYSTEM}] + WEATHER, OPENAI_TOOLS), first)
    if stream:
        check("tool_use_stream_equals_non_stream", shape(first) == shape(claude.messages.create(**request)), first)
    # The client runs the tool and sends its result back with the assistant turn as it came. (As on the chat
    # route, this 0.5B model answers from a result after one more user line.)
    history = WEATHER + [
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": uses[0].id, "content": "21°C and sunny"},
                                     {"type": "text", "text": "Thanks! So what is it like?"}]},
    ]
    request["messages"] = history
    final = streamed(**request)[0] if stream else claude.messages.create(**request)
    openai_history = [{"role": "system", "content": SYSTEM}] + WEATHER + [
        {"role": "assistant", "content": text_of(first) or None, "tool_calls": [
            {"id": uses[0].id, "type": "function", "function": {"name": uses[0].name, "arguments": json.dumps(uses[0].input)}}]},
        {"role": "tool", "tool_call_id": uses[0].id, "content": "21°C and sunny"},
        {"role": "user", "content": "Thanks! So what is it like?"}]
    check(f"round_trip_{name}", final.stop_reason == "end_turn" and not tool_uses(final) and no_tags(final) and "21" in text_of(final)
          and final.usage.input_tokens == chat_prompt_tokens(openai_history, OPENAI_TOOLS), final)
run("tool_use_non_stream", lambda: round_trip(False))
run("tool_use_stream", lambda: round_trip(True))


def tool_choices():
    # A greeting the model would answer in words: `any` still makes it call.
    r = claude.messages.create(model=model, max_tokens=120, **T0, tools=TOOLS, messages=CHAT, tool_choice={"type": "any"})
    check("choice_any", tool_uses(r) and r.stop_reason == "tool_use" and not text_of(r), r)
    final, kinds = streamed(model=model, max_tokens=120, **T0, tools=TOOLS, messages=CHAT, tool_choice={"type": "any"})
    check("choice_any_stream", shape(final) == shape(r) and "input_json" in kinds, f"{final} {kinds}")
    r = claude.messages.create(model=model, max_tokens=120, **T0, tools=TOOLS, messages=WEATHER,
                               tool_choice={"type": "tool", "name": "get_time"})
    check("choice_named_tool", [u.name for u in tool_uses(r, ["get_time"])] == ["get_time"] and r.stop_reason == "tool_use", r)
    r = claude.messages.create(model=model, max_tokens=200, **T0, tools=TOOLS,
                               tool_choice={"type": "any", "disable_parallel_tool_use": True},
                               messages=[{"role": "user", "content": "Weather in Paris, London and Rome, and the time in Tokyo?"}])
    check("disable_parallel_one_call", len(tool_uses(r)) == 1, r)
    r = claude.messages.create(model=model, max_tokens=80, **T0, tools=TOOLS, messages=WEATHER, tool_choice={"type": "none"})
    check("choice_none", not [b for b in r.content if b.type == "tool_use"] and text_of(r) and no_tags(r)
          and r.stop_reason in ("end_turn", "max_tokens") and r.usage.input_tokens == chat_prompt_tokens(WEATHER, OPENAI_TOOLS), r)
run("choice_any", tool_choices)


def errors():
    long_user = "hello " * (config["context"] + 200)
    try:
        claude.messages.create(model=model, max_tokens=4, system=SYSTEM, messages=[{"role": "user", "content": long_user}])
        check("too_long_is_bad_request", False, "no error")
    except anthropic.BadRequestError as error:
        rendered = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{long_user}<|im_end|>\n<|im_start|>assistant\n"
        count = len(post("/tokenize", {"content": rendered})["tokens"])
        message = error.body["error"]["message"]
        check("too_long_is_bad_request", str(count) in message and str(config["context"]) in message
              and error.body["error"]["type"] == "invalid_request_error", error.body)
    failures = []
    for name, body in {
        "max_tokens_wrong_type": {"max_tokens": "many", "messages": CHAT},
        "messages_wrong_type": {"max_tokens": 4, "messages": "hi"},
        "temperature_wrong_type": {"max_tokens": 4, "messages": CHAT, "extra_body": {"temperature": "hot"}},
        "top_k_wrong_type": {"max_tokens": 4, "messages": CHAT, "extra_body": {"top_k": 1.5}},
        "block_wrong_type": {"max_tokens": 4, "messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
        "image_block": {"max_tokens": 4, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]},
        "system_role": {"max_tokens": 4, "messages": [{"role": "system", "content": "x"}]},
        "tool_choice_unknown_tool": {"max_tokens": 4, "messages": CHAT, "tools": TOOLS, "tool_choice": {"type": "tool", "name": "get_wind"}},
        "tool_without_schema": {"max_tokens": 4, "messages": CHAT, "tools": [{"name": "f"}]},
        "server_tool": {"max_tokens": 4, "messages": CHAT, "tools": [{"type": "web_search_20250305", "name": "web_search"}]},
    }.items():
        try:
            claude.messages.create(model=model, **body)
            failures.append(f"{name}: no error")
        except anthropic.BadRequestError as error:
            if error.body.get("type") != "error" or error.body["error"]["type"] != "invalid_request_error" or not error.body["error"]["message"]:
                failures.append(f"{name}: {error.body}")
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__} {error}")
    status, answer = post_status("/v1/messages", {"model": model, "max_tokens": 4, "messages": CHAT, "stop_sequences": ["x"] * 17})
    if status != 400 or "'stop_sequences'" not in answer["error"]["message"]:
        failures.append(f"too_many_stop_sequences: {status} {answer}")
    status, answer = post_status("/v1/messages", {"model": model, "messages": CHAT})
    if status != 400 or answer["error"]["type"] != "invalid_request_error" or "max_tokens" not in answer["error"]["message"]:
        failures.append(f"max_tokens_missing: {status} {answer}")
    check("wrong_types_are_bad_requests", not failures, failures)
    try:
        anthropic.Anthropic(base_url=base, api_key="wrong-key", max_retries=0).messages.create(model=model, max_tokens=2, messages=CHAT)
        check("wrong_key_is_authentication_error", False, "no error")
    except anthropic.AuthenticationError as error:
        check("wrong_key_is_authentication_error", error.body["error"]["type"] == "authentication_error", error.body)
    try:
        claude.messages.create(model="no-such-model", max_tokens=2, messages=CHAT)
        check("unknown_model_is_not_found", False, "no error")
    except anthropic.NotFoundError as error:
        check("unknown_model_is_not_found", error.body["error"]["type"] == "not_found_error" and "no-such-model" in error.body["error"]["message"],
              error.body)
    # `Authorization: Bearer` works too (post_status sends it), and the chat route keeps OpenAI's error shape.
    status, answer = post_status("/v1/messages", {"model": model, "max_tokens": 2, "messages": CHAT})
    wrong_status, wrong = post_status("/v1/chat/completions", {"model": model, "max_tokens": "x", "messages": CHAT})
    check("bearer_accepted_and_shapes_per_route", status == 200 and answer["usage"]["output_tokens"] == 2
          and wrong_status == 400 and wrong["error"]["param"] == "max_tokens", f"{answer} {wrong}")
    r = claude.messages.create(model=model, max_tokens=2, **T0, messages=CHAT)
    check("serving_after_errors", r.usage.output_tokens == 2 and r.stop_reason == "max_tokens", r)
run("errors", errors)

json.dump({"checks": checks}, sys.stdout)
