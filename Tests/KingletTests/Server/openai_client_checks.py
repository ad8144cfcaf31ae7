# Drives a running `kinglet serve` with the official `openai` client and reports each check as JSON.
# stdin: {"port": int, "key": str, "model": str, "context": int}; stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
# (openai_support.py runs first: config, client, model, check, run, post.)
import json, threading, time
import jsonschema, openai


SYSTEM = "You are a terse assistant."
USER = "Name three primary colors."
MESSAGES = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}]
# Qwen2.5's template with an explicit system message, as Hugging Face renders it.
RENDERED = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{USER}<|im_end|>\n<|im_start|>assistant\n"


def models():
    ids = [m.id for m in client.models.list().data]
    check("models_list", ids == [model], ids)
run("models_list", models)

baseline = {}


def chat_deterministic():
    first = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=24)
    second = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=24)
    a, b = first.choices[0].message.content, second.choices[0].message.content
    baseline.update(content=a, finish=first.choices[0].finish_reason, usage=first.usage)
    check("chat_deterministic", a and a == b and first.object == "chat.completion" and first.id.startswith("chatcmpl-")
          and first.model == model and first.choices[0].message.role == "assistant", f"{a!r} vs {b!r}")
    u = first.usage
    prompt_ids = post("/tokenize", {"content": RENDERED})["tokens"]
    check("chat_usage", u.total_tokens == u.prompt_tokens + u.completion_tokens and u.completion_tokens > 0
          and u.prompt_tokens == len(prompt_ids) and u.prompt_tokens_details.cached_tokens == 0,
          f"{u} vs tokenize {len(prompt_ids)}")
run("chat_deterministic", chat_deterministic)


def chat_stream():
    stream = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=24, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    roles = [c.choices[0].delta.role for c in chunks if c.choices and c.choices[0].delta.role]
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    usage = chunks[-1].usage
    check("chat_stream_equals_non_stream", text == baseline["content"], f"{text!r} vs {baseline['content']!r}")
    check("chat_stream_role_first", roles == ["assistant"] and chunks[0].choices[0].delta.role == "assistant", roles)
    check("chat_stream_finish", finishes == [baseline["finish"]], finishes)
    check("chat_stream_usage", usage is not None and chunks[-1].choices == []
          and usage.prompt_tokens == baseline["usage"].prompt_tokens
          and usage.completion_tokens == baseline["usage"].completion_tokens, usage)
    check("chat_stream_ids", len({c.id for c in chunks}) == 1 and all(c.object == "chat.completion.chunk" for c in chunks))
run("chat_stream", chat_stream)


def utf8_stream():
    # Multi-byte characters span several byte-level tokens; no streamed delta may hold half of one.
    request = dict(model=model, temperature=0, max_tokens=40,
                   messages=[{"role": "user", "content": "Repeat exactly: 你好，世界！🪶🦤 鵼 こんにちは"}])
    whole = client.chat.completions.create(**request).choices[0].message.content
    deltas = [c.choices[0].delta.content or "" for c in client.chat.completions.create(**request, stream=True) if c.choices]
    split = len(post("/tokenize", {"content": "🪶"})["tokens"]) > 1   # the feather takes 3 byte-level tokens
    check("stream_never_splits_utf8", split and "".join(deltas) == whole and not any("\ufffd" in d for d in deltas)
          and "🪶" in whole and "鵼" in whole, f"{whole!r} {deltas!r}")
run("stream_never_splits_utf8", utf8_stream)


def stop_sequence():
    long = client.chat.completions.create(model=model, temperature=0, max_tokens=40,
                                          messages=[{"role": "user", "content": "Count from 1 to 20, separated by commas."}])
    text = long.choices[0].message.content
    marker = "5"
    cut = client.chat.completions.create(model=model, temperature=0, max_tokens=40, stop=[marker, "never-there"],
                                         messages=[{"role": "user", "content": "Count from 1 to 20, separated by commas."}])
    got = cut.choices[0].message.content
    check("stop_honoured", marker in text and got == text[:text.index(marker)] and cut.choices[0].finish_reason == "stop",
          f"full {text!r} cut {got!r} {cut.choices[0].finish_reason}")
run("stop_honoured", stop_sequence)


def max_tokens_length():
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=3)
    check("max_tokens_length", r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 3, r)
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_completion_tokens=2)
    check("max_completion_tokens_length", r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 2, r)
run("max_tokens_length", max_tokens_length)


def json_schema():
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"], "additionalProperties": False}
    r = client.chat.completions.create(
        model=model, temperature=0, max_tokens=80,
        messages=[{"role": "user", "content": "Invent a person. Reply in JSON with name and age."}],
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema, "strict": True}})
    value = json.loads(r.choices[0].message.content)
    jsonschema.validate(value, schema)
    check("response_format_json_schema", r.choices[0].finish_reason == "stop", r.choices[0].message.content)
    r = client.chat.completions.create(model=model, temperature=0, max_tokens=80, response_format={"type": "json_object"},
                                       messages=[{"role": "user", "content": "Give me a JSON object describing a cat."}])
    check("response_format_json_object", isinstance(json.loads(r.choices[0].message.content), dict), r.choices[0].message.content)
run("response_format_json_schema", json_schema)


def logprobs():
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=5, logprobs=True, top_logprobs=3)
    content = r.choices[0].logprobs.content
    ok = len(content) == r.usage.completion_tokens == 5
    for entry in content:
        ok = ok and len(entry.top_logprobs) == 3 and entry.logprob <= 0 and entry.bytes == list(entry.token.encode())
        # Greedy: the chosen token is the most likely one.
        ok = ok and entry.top_logprobs[0].token == entry.token and abs(entry.top_logprobs[0].logprob - entry.logprob) < 1e-4
        ok = ok and entry.top_logprobs[0].logprob >= entry.top_logprobs[1].logprob >= entry.top_logprobs[2].logprob
    check("logprobs", ok and "".join(e.token for e in content) == r.choices[0].message.content, content)
run("logprobs", logprobs)


def logit_bias():
    banana = post("/tokenize", {"content": " banana"})["tokens"]
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=1,
                                       logit_bias={str(banana[0]): 100}, logprobs=True)
    token = r.choices[0].logprobs.content[0].token
    check("logit_bias", post("/tokenize", {"content": token})["tokens"] == banana[:1], f"{banana} {token!r}")
run("logit_bias", logit_bias)


def n_choices_and_seeds():
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=1.0, seed=7, max_tokens=8, n=2)
    check("n_choices", [c.index for c in r.choices] == [0, 1] and 2 <= r.usage.completion_tokens <= 16
          and all(c.message.content for c in r.choices), [c.message.content for c in r.choices])
    request = dict(model=model, messages=[{"role": "user", "content": "Tell me a story about a fox."}],
                   temperature=1.0, seed=42, max_tokens=16)
    alone = client.chat.completions.create(**request).choices[0].message.content
    results = {}

    def worker(key, kwargs):
        results[key] = client.chat.completions.create(**kwargs).choices[0].message.content
    threads = [threading.Thread(target=worker, args=("same", request)),
               threading.Thread(target=worker, args=("other", dict(request, seed=3,
                                messages=[{"role": "user", "content": "Write a poem about rain."}])))]
    for t in threads: t.start()
    for t in threads: t.join()
    check("seed_reproducible_alongside_others", results.get("same") == alone, f"{alone!r} vs {results.get('same')!r}")
run("n_choices", n_choices_and_seeds)


def completions():
    prompt = "def fibonacci(n):"
    r = client.completions.create(model=model, prompt=prompt, max_tokens=12, temperature=0)
    text = r.choices[0].text
    echoed = client.completions.create(model=model, prompt=prompt, max_tokens=12, temperature=0, echo=True)
    ids = post("/tokenize", {"content": prompt})["tokens"]
    by_ids = client.completions.create(model=model, prompt=ids, max_tokens=12, temperature=0)
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model=model, prompt=prompt, max_tokens=12, temperature=0, stream=True) if c.choices)
    check("completions", text and r.object == "text_completion" and r.choices[0].finish_reason == "length"
          and r.usage.completion_tokens == 12 and r.usage.prompt_tokens == len(ids), r)
    check("completions_echo", echoed.choices[0].text == prompt + text, echoed.choices[0].text)
    check("completions_token_prompt", by_ids.choices[0].text == text, by_ids.choices[0].text)
    check("completions_stream", streamed == text, f"{streamed!r} vs {text!r}")
    detok = post("/detokenize", {"tokens": ids})["content"]
    check("detokenize", detok == prompt, detok)
run("completions", completions)


def errors():
    long_user = "hello " * (config["context"] + 200)
    try:
        client.chat.completions.create(model=model, max_tokens=4,
                                       messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": long_user}])
        check("too_long_is_bad_request", False, "no error")
    except openai.BadRequestError as error:
        message = error.body.get("message", "") if isinstance(error.body, dict) else str(error)
        rendered = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{long_user}<|im_end|>\n<|im_start|>assistant\n"
        count = len(post("/tokenize", {"content": rendered})["tokens"])
        check("too_long_is_bad_request", str(count) in message and str(config["context"]) in message
              and error.status_code == 400 and error.code == "context_length_exceeded", f"{message} (expected {count})")
    wrong = openai.OpenAI(base_url=base + "/v1", api_key="wrong-key", max_retries=0)
    try:
        wrong.models.list()
        check("wrong_key_is_authentication_error", False, "no error")
    except openai.AuthenticationError as error:
        check("wrong_key_is_authentication_error", error.status_code == 401, error)
    try:
        client.chat.completions.create(model="gpt-9", messages=MESSAGES, max_tokens=2)
        check("unknown_model_is_not_found", False, "no error")
    except openai.NotFoundError as error:
        check("unknown_model_is_not_found", error.code == "model_not_found" and "gpt-9" in str(error), error)
    # Still serving.
    r = client.chat.completions.create(model=model, messages=MESSAGES, temperature=0, max_tokens=2)
    check("serving_after_errors", r.usage.completion_tokens == 2, r)
run("errors", errors)

json.dump({"checks": checks}, sys.stdout)
