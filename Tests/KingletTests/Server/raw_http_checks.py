# Sends malformed and hostile requests to a running `kinglet serve` over plain HTTP and reports what came back.
# stdin: {"port": int, "model": str, "max_body": int}; stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
import http.client, json, sys

config = json.load(sys.stdin)
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:2000]}


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", config["port"], timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, response.msg, data
    finally:
        connection.close()


def error_of(data):
    try:
        error = json.loads(data)["error"]
        return error if isinstance(error, dict) and "message" in error and "type" in error else None
    except Exception:
        return None


def expect(name, method, path, body, status, param=None, mention=None):
    try:
        got, headers, data = request(method, path, body)
        error = error_of(data)
        ok = got == status and error is not None and headers.get("Content-Type", "").startswith("application/json")
        if param is not None:
            ok = ok and error.get("param") == param
        if mention is not None:
            ok = ok and mention in error.get("message", "")
        check(name, ok, f"{got} {data[:300]!r}")
        return headers
    except Exception as error:
        check(name, False, f"{type(error).__name__}: {error}")


model = config["model"]
hi = [{"role": "user", "content": "hi"}]
expect("malformed_json", "POST", "/v1/chat/completions", b'{"model": "x", "messages": [', 400)
expect("not_json_at_all", "POST", "/v1/chat/completions", b"hello", 400)
expect("wrong_type_messages", "POST", "/v1/chat/completions", json.dumps({"model": model, "messages": "hi"}), 400,
       param="messages", mention="messages")
expect("wrong_type_temperature", "POST", "/v1/chat/completions",
       json.dumps({"model": model, "messages": hi, "temperature": "hot"}), 400, param="temperature", mention="temperature")
expect("wrong_type_nested_content", "POST", "/v1/chat/completions",
       json.dumps({"model": model, "messages": [{"role": "user", "content": 5}]}), 400, param="messages[0].content")
expect("missing_messages", "POST", "/v1/chat/completions", json.dumps({"model": model}), 400, param="messages")
expect("bad_role", "POST", "/v1/chat/completions",
       json.dumps({"model": model, "messages": [{"role": "wizard", "content": "hi"}]}), 400, param="messages[0].role")
expect("out_of_range_top_p", "POST", "/v1/chat/completions",
       json.dumps({"model": model, "messages": hi, "top_p": 3}), 400, param="top_p")
expect("bad_token_ids", "POST", "/v1/completions", json.dumps({"model": model, "prompt": [1, -5]}), 400, param="prompt[1]")
expect("invalid_utf8", "POST", "/v1/chat/completions",
       b'{"model": "' + model.encode() + b'", "messages": [{"role": "user", "content": "caf\xc3\x28 \xff"}]}', 400)
expect("deeply_nested_json", "POST", "/v1/chat/completions",
       b'{"messages": [{"role": "user", "content": "hi"}], "x": ' + b"[" * 20000 + b"]" * 20000 + b"}", 400)
expect("body_too_large", "POST", "/v1/chat/completions",
       json.dumps({"model": model, "messages": [{"role": "user", "content": "x" * (config["max_body"] + 1000)}]}), 413)
expect("unknown_route", "GET", "/v1/nothing-here", None, 404)
allow = expect("wrong_method", "GET", "/v1/chat/completions", None, 405)
check("wrong_method_allow_header", allow is not None and allow.get("Allow") == "POST", allow)

try:
    status, _, data = request("POST", "/v1/chat/completions", json.dumps({
        "model": model, "messages": [{"role": "developer", "content": "Be brief."},
                                     {"role": "user", "content": [{"type": "text", "text": "Say "}, {"type": "text", "text": "hi."}]}],
        "max_tokens": 2, "temperature": 0, "some_future_field": {"x": [1, 2]}, "user": "abc"}))
    body = json.loads(data)
    check("unknown_fields_ignored_and_parts_joined", status == 200 and body["usage"]["completion_tokens"] == 2, data[:300])
except Exception as error:
    check("unknown_fields_ignored_and_parts_joined", False, error)

try:
    status, headers, data = request("POST", "/v1/chat/completions", json.dumps({
        "model": model, "messages": hi, "max_tokens": 3, "temperature": 0, "stream": True}))
    events = [line for line in data.decode().split("\n\n") if line]
    ok = status == 200 and headers.get("Content-Type", "").startswith("text/event-stream")
    ok = ok and all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    ok = ok and all(json.loads(e[6:])["object"] == "chat.completion.chunk" for e in events[:-1])
    check("sse_framing", ok, data[:500])
except Exception as error:
    check("sse_framing", False, error)

try:
    status, _, data = request("POST", "/tokenize", json.dumps({"content": "héllo wörld 🐦"}))
    tokens = json.loads(data)["tokens"]
    status2, _, data2 = request("POST", "/detokenize", json.dumps({"tokens": tokens}))
    check("tokenize_round_trip", status == 200 and status2 == 200 and json.loads(data2)["content"] == "héllo wörld 🐦", data2)
except Exception as error:
    check("tokenize_round_trip", False, error)

try:
    # A full context ends the answer with "length", never a silent "stop" (the server runs with --context 512).
    hello = json.loads(request("POST", "/tokenize", json.dumps({"content": " hello"}))[2])["tokens"]
    eog = json.loads(request("POST", "/tokenize", json.dumps({"content": "<|im_end|><|endoftext|>"}))[2])["tokens"]
    status, _, data = request("POST", "/v1/completions", json.dumps({
        "model": model, "prompt": hello * 505, "max_tokens": 100, "temperature": 0,
        "logit_bias": {str(t): -100 for t in eog}}))
    body = json.loads(data)
    check("context_full_is_length", status == 200 and body["choices"][0]["finish_reason"] == "length"
          and body["usage"]["prompt_tokens"] == 505 and 1 <= body["usage"]["completion_tokens"] <= 8, data[:400])
except Exception as error:
    check("context_full_is_length", False, error)

status, _, data = request("GET", "/health")
check("health_after_errors", status == 200 and json.loads(data)["status"] == "ok", data)
json.dump({"checks": checks}, sys.stdout)
