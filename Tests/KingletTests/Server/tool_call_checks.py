# Drives a running `kinglet serve` (Qwen2.5-Coder-0.5B) with the official `openai` client through tool calling
# and reports each check as JSON. Prompts are checked against Hugging Face's own rendering of the model's template.
# stdin: {"port": int, "model": str, "model_path": str}; stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
# (openai_support.py runs first: config, client, model, check, run, post, post_status.)
import json
import jsonschema
from gguf import GGUFReader
from transformers.utils.chat_template_utils import render_jinja_template

field = GGUFReader(config["model_path"]).fields["tokenizer.chat_template"]
TEMPLATE = bytes(field.parts[field.data[0]]).decode()


def prompt_tokens(messages, tools):
    """The prompt length of Hugging Face's rendering (tool-call arguments as objects, as HF takes them)."""
    rendered = render_jinja_template(conversations=[messages], tools=tools, chat_template=TEMPLATE, add_generation_prompt=True)[0][0]
    return len(post("/tokenize", {"content": rendered})["tokens"])


WEATHER_PARAMETERS = {"type": "object", "properties": {
    "city": {"type": "string", "description": "City name, e.g. Paris"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}
TIME_PARAMETERS = {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Get the current weather in a city.",
                                      "parameters": WEATHER_PARAMETERS}},
    {"type": "function", "function": {"name": "get_time", "description": "Get the current time in a timezone.",
                                      "parameters": TIME_PARAMETERS}},
]
SCHEMAS = {"get_weather": WEATHER_PARAMETERS, "get_time": TIME_PARAMETERS}
SYSTEM = {"role": "system", "content": "You are a helpful assistant. Use the tools when they help."}
WEATHER = [SYSTEM, {"role": "user", "content": "What is the weather like in Paris right now?"}]
CHAT = [SYSTEM, {"role": "user", "content": "Hello! Please tell me a joke about cats."}]


def valid_calls(calls, names=None):
    """Every call names a declared function and carries JSON arguments valid for its schema."""
    for call in calls or []:
        if call.type != "function" or not call.id.startswith("call_") or call.function.name not in (names or SCHEMAS):
            return False
        jsonschema.validate(json.loads(call.function.arguments), SCHEMAS[call.function.name])
    return bool(calls)


def no_tags(text):
    return text is None or ("<tool_call>" not in text and "</tool_call>" not in text)


def streamed(**request):
    """The stream joined as a client joins it: content, and per tool-call index id, name and arguments."""
    content, calls, finishes, first_deltas = "", {}, [], {}
    for chunk in client.chat.completions.create(stream=True, **request):
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        content += choice.delta.content or ""
        for delta in choice.delta.tool_calls or []:
            if delta.index not in calls:
                first_deltas[delta.index] = delta
                calls[delta.index] = {"id": delta.id, "name": delta.function.name, "arguments": ""}
            calls[delta.index]["arguments"] += delta.function.arguments or ""
        if choice.finish_reason:
            finishes.append(choice.finish_reason)
    return content, [calls[i] for i in sorted(calls)], finishes, first_deltas


state = {}


def required():
    # A greeting the model would answer in words: `required` still makes it call.
    r = client.chat.completions.create(model=model, messages=CHAT, tools=TOOLS, tool_choice="required", temperature=0, max_tokens=120)
    m = r.choices[0].message
    state["required"] = r
    check("required_calls_a_tool", valid_calls(m.tool_calls) and r.choices[0].finish_reason == "tool_calls"
          and m.content is None, r.choices[0])
    content, calls, finishes, first = streamed(model=model, messages=CHAT, tools=TOOLS, tool_choice="required", temperature=0, max_tokens=120)
    whole = [{"name": c.function.name, "arguments": c.function.arguments} for c in m.tool_calls or []]
    check("required_stream_equals_non_stream", [{"name": c["name"], "arguments": c["arguments"]} for c in calls] == whole
          and content == "" and finishes == ["tool_calls"] and all(c["id"].startswith("call_") for c in calls),
          f"{calls} {content!r} {finishes} vs {whole}")
    f = first.get(0)
    check("stream_first_tool_delta_shape", f is not None and f.id and f.type == "function" and f.function.name
          and f.function.arguments == "", f)
run("required_calls_a_tool", required)


def named():
    r = client.chat.completions.create(model=model, messages=WEATHER, tools=TOOLS, temperature=0, max_tokens=120,
                                       tool_choice={"type": "function", "function": {"name": "get_time"}})
    m = r.choices[0].message
    check("named_calls_that_function", valid_calls(m.tool_calls, ["get_time"]) and len(m.tool_calls) == 1
          and r.choices[0].finish_reason == "tool_calls", r.choices[0])
    content, calls, finishes, _ = streamed(model=model, messages=WEATHER, tools=TOOLS, temperature=0, max_tokens=120,
                                           tool_choice={"type": "function", "function": {"name": "get_time"}})
    check("named_stream", [c["name"] for c in calls] == ["get_time"] and calls[0]["arguments"] == m.tool_calls[0].function.arguments
          and finishes == ["tool_calls"], calls)
run("named_calls_that_function", named)


def single_when_not_parallel():
    r = client.chat.completions.create(model=model, temperature=0, max_tokens=200, tools=TOOLS, tool_choice="required",
                                       parallel_tool_calls=False,
                                       messages=[SYSTEM, {"role": "user", "content": "Weather in Paris, London and Rome, and the time in Tokyo?"}])
    calls = r.choices[0].message.tool_calls
    check("parallel_false_one_call", valid_calls(calls) and len(calls) == 1, r.choices[0])
run("parallel_false_one_call", single_when_not_parallel)


def auto_round_trip():
    r = client.chat.completions.create(model=model, messages=WEATHER, tools=TOOLS, temperature=0, max_tokens=120)
    choice = r.choices[0]
    calls = choice.message.tool_calls
    check("auto_calls_for_weather", valid_calls(calls, ["get_weather"]) and choice.finish_reason == "tool_calls"
          and no_tags(choice.message.content), choice)
    check("auto_prompt_matches_hf", r.usage.prompt_tokens == prompt_tokens(WEATHER, TOOLS), r.usage)
    content, streamed_calls, finishes, _ = streamed(model=model, messages=WEATHER, tools=TOOLS, temperature=0, max_tokens=120)
    check("auto_stream_equals_non_stream", [(c["name"], c["arguments"]) for c in streamed_calls]
          == [(c.function.name, c.function.arguments) for c in calls or []] and content == (choice.message.content or "")
          and finishes == [choice.finish_reason], f"{streamed_calls} {content!r} {finishes}")
    # The client runs the tool and sends its result back, with the assistant turn as it came. (Right after a
    # tool message this 0.5B model only repeats its call, as the same prompt would make it do anywhere; after
    # one more user turn it answers from the result.)
    call = calls[0]
    history = WEATHER + [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]},
        {"role": "tool", "tool_call_id": call.id, "content": "21°C and sunny"},
        {"role": "user", "content": "Thanks! So what is it like?"},
    ]
    final = client.chat.completions.create(model=model, messages=history, tools=TOOLS, temperature=0, max_tokens=80)
    answer = final.choices[0]
    check("round_trip_final_answer", answer.message.content and not answer.message.tool_calls and no_tags(answer.message.content)
          and answer.finish_reason == "stop" and "21" in answer.message.content, answer)
    hf_history = [dict(m) for m in history]
    hf_history[-3] = {"role": "assistant", "content": None, "tool_calls": [
        {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": json.loads(call.function.arguments)}}]}
    check("round_trip_prompt_matches_hf", final.usage.prompt_tokens == prompt_tokens(hf_history, TOOLS),
          f"{final.usage.prompt_tokens} vs {prompt_tokens(hf_history, TOOLS)}")
run("auto_calls_for_weather", auto_round_trip)


def none_choice():
    r = client.chat.completions.create(model=model, messages=WEATHER, tools=TOOLS, tool_choice="none", temperature=0, max_tokens=80)
    choice = r.choices[0]
    check("none_never_calls", not choice.message.tool_calls and choice.finish_reason in ("stop", "length")
          and choice.message.content and no_tags(choice.message.content), choice)
    # The tools are still rendered, as OpenAI, llama.cpp and vLLM do.
    check("none_renders_tools", r.usage.prompt_tokens == prompt_tokens(WEATHER, TOOLS), r.usage)
    content, calls, finishes, _ = streamed(model=model, messages=WEATHER, tools=TOOLS, tool_choice="none", temperature=0, max_tokens=80)
    check("none_stream", not calls and content == choice.message.content and finishes == [choice.finish_reason], content)
run("none_never_calls", none_choice)


def utf8_and_logprobs():
    # Through the output parser (tools declared), multi-byte text still streams whole, equal to the answer,
    # and every token's logprobs arrive, also those of tokens whose text is held back.
    request = dict(model=model, temperature=0, max_tokens=40, tools=TOOLS,
                   messages=[{"role": "user", "content": "Repeat exactly: 你好，世界！🪶🦤 鵼 こんにちは"}])
    whole = client.chat.completions.create(**request).choices[0].message.content
    chunks = list(client.chat.completions.create(**request, stream=True, logprobs=True, stream_options={"include_usage": True}))
    deltas = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    logprobs = sum(len(c.choices[0].logprobs.content) for c in chunks if c.choices and c.choices[0].logprobs)
    check("stream_with_tools_utf8_and_logprobs", "你好" in whole and "".join(deltas) == whole
          and not any("\ufffd" in d for d in deltas) and logprobs == chunks[-1].usage.completion_tokens,
          f"{whole!r} {deltas} {logprobs}")
run("stream_with_tools_utf8_and_logprobs", utf8_and_logprobs)


def several_choices():
    # Room for a sampled choice that makes several calls (with seed 5 one makes eight, about 230 tokens): the check
    # is that each choice finishes its calls, not that a sample happens to be short.
    r = client.chat.completions.create(model=model, messages=CHAT, tools=TOOLS, tool_choice="required", n=2, seed=5,
                                       temperature=0.8, max_tokens=400)
    check("n_choices_each_call", len(r.choices) == 2 and all(valid_calls(c.message.tool_calls) for c in r.choices)
          and all(c.finish_reason == "tool_calls" for c in r.choices), r.choices)
run("n_choices_each_call", several_choices)


def errors():
    cases = {
        "tools_not_array": ({"tools": "get_weather"}, "tools"),
        "tool_name_wrong_type": ({"tools": [{"type": "function", "function": {"name": 7}}]}, "tools[0].function.name"),
        "tool_name_missing": ({"tools": [{"type": "function", "function": {"description": "x"}}]}, "tools[0].function.name"),
        "tool_name_invalid": ({"tools": [{"type": "function", "function": {"name": "get weather"}}]}, "tools[0].function.name"),
        "tool_type_unknown": ({"tools": [{"type": "retrieval", "function": {"name": "f"}}]}, "tools[0].type"),
        "parameters_not_object": ({"tools": [{"type": "function", "function": {"name": "f", "parameters": "x"}}]}, "tools[0].function.parameters"),
        "duplicate_tool": ({"tools": TOOLS + TOOLS[:1]}, "tools[2].function.name"),
        "choice_unknown_word": ({"tools": TOOLS, "tool_choice": "sometimes"}, "tool_choice"),
        "choice_wrong_type": ({"tools": TOOLS, "tool_choice": 3}, "tool_choice"),
        "choice_unknown_function": ({"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "get_wind"}}},
                                    "tool_choice.function.name"),
        "choice_required_without_tools": ({"tool_choice": "required"}, "tool_choice"),
        "unenforceable_schema": ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {
            "type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]+$"}}}}}], "tool_choice": "required"},
                                 "tools[0].function.parameters"),
        "arguments_wrong_type": ({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": 5}}]}]},
                                 "messages[1].tool_calls[0].function.arguments"),
        "tool_call_id_wrong_type": ({"messages": [{"role": "tool", "tool_call_id": 5, "content": "x"}]}, "messages[0].tool_call_id"),
        "kwargs_not_object": ({"chat_template_kwargs": ["enable_thinking"]}, "chat_template_kwargs"),
        "kwargs_reserved": ({"chat_template_kwargs": {"messages": []}}, "chat_template_kwargs.messages"),
        "format_with_forced_call": ({"tools": TOOLS, "tool_choice": "required", "response_format": {"type": "json_object"}},
                                    "response_format"),
    }
    failures = []
    for name, (extra, param) in cases.items():
        body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1, **extra}
        status, answer = post_status("/v1/chat/completions", body)
        error = answer.get("error", {})
        if status != 400 or error.get("param") != param or not error.get("message"):
            failures.append(f"{name}: {status} {answer}")
    check("bad_tool_requests_are_400_naming_the_field", not failures, failures)
    # chat_template_kwargs reach the template (this one ignores them) without changing the prompt.
    status, answer = post_status("/v1/chat/completions", {"model": model, "messages": CHAT, "max_tokens": 1,
                                                    "chat_template_kwargs": {"enable_thinking": False}})
    check("kwargs_accepted", status == 200 and answer["usage"]["prompt_tokens"] == prompt_tokens(CHAT, None), answer)
    r = client.chat.completions.create(model=model, messages=CHAT, temperature=0, max_tokens=2)
    check("serving_after_tool_errors", r.usage.completion_tokens == 2, r)
run("errors", errors)

json.dump({"checks": checks}, sys.stdout)
