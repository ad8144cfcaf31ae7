# Keeps /openapi.json true: its operations are exactly the server's routes, and live answers of every operation
# (successes, errors, event streams) have a documented status and content type and validate against its schemas,
# and every error names (`param`) a field of the documented request.
# stdin: {"port": int, "key": str, "model": str, "routes": [[path, METHOD]], "max_body": int};
# stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
import http.client, json, re, sys
import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

config = json.load(sys.stdin)
checks = {}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:3000]}


def request(method, path, body=None, key=config["key"]):
    connection = http.client.HTTPConnection("127.0.0.1", config["port"], timeout=300)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


status, _, raw = request("GET", "/openapi.json")
doc = json.loads(raw)
documented = sorted([path, method.upper()] for path, item in doc["paths"].items() for method in item if method in METHODS)
check("openapi_3_1", status == 200 and doc.get("openapi", "").startswith("3.1."), doc.get("openapi"))
check("operations_are_the_routes", documented == sorted(config["routes"]),
      f"documented {documented}, served {sorted(config['routes'])}")

URI = "urn:kinglet:openapi"
registry = Registry().with_resource(URI, Resource.from_contents(doc, default_specification=DRAFT202012))


def content_schema(validator, subschema, instance, schema):
    """JSON text in a string (an event's `data`) validated against `contentSchema`, as schemathesis does."""
    if schema.get("contentMediaType") != "application/json" or not isinstance(instance, str):
        return
    try:
        parsed = json.loads(instance)
    except ValueError as error:
        yield jsonschema.ValidationError(f"not JSON: {error}")
        return
    yield from validator.descend(parsed, subschema)


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"contentSchema": content_schema})


def pointer(*parts):
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def resolve(node, location):
    """A `$ref`'d object of the document and where it is (pointer)."""
    while "$ref" in node:
        location = node["$ref"][1:]
        node = doc
        for part in location.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node, location


def problems(method, path, status, headers, data):
    """Why an answer does not match the document (empty when it does)."""
    operation = doc["paths"][path][method.lower()]
    if str(status) not in operation["responses"]:
        return [f"status {status} is not documented"]
    response, location = resolve(operation["responses"][str(status)], pointer("paths", path, method.lower(), "responses", status))
    media = (headers.get("Content-Type") or "").split(";")[0].strip()
    if media not in response.get("content", {}):
        return [f"content type {media!r} is not documented for {status}"]
    found = [f"header {name} missing" for name, header in response.get("headers", {}).items()
             if header.get("required") and headers.get(name) is None]
    validator = Validator({"$ref": f"{URI}#{location}{pointer('content', media, 'schema')}"}, registry=registry)
    text = data.decode()
    if media == "application/json":
        instances = [json.loads(text)]
    elif media == "text/event-stream":
        # Each event: an optional `event: NAME` line (Anthropic's), then `data: …`.
        events = [event for event in text.split("\n\n") if event]
        instances = []
        for event in events:
            fields = dict(line.split(": ", 1) for line in event.split("\n"))
            instances.append({"event": fields.get("event", "message"), "data": fields.get("data")})
        if path.startswith("/v1/messages"):
            if not events or instances[-1]["event"] != "message_stop":
                found.append("the stream does not end with message_stop")
        elif not events or instances[-1]["data"] != "[DONE]":
            found.append("the stream does not end with [DONE]")
    else:
        instances = [text]
    for instance in instances:
        found += [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]
    # An error's `param` must name a field of the documented request body.
    error = instances[0].get("error") if status >= 400 and isinstance(instances[0], dict) else None
    param = error.get("param") if isinstance(error, dict) else None
    if param and "requestBody" in operation:
        body_schema, _ = resolve(operation["requestBody"]["content"]["application/json"]["schema"], "")
        if re.split(r"[.\[]", param)[0] not in body_schema["properties"]:
            found.append(f"param {param!r} is not a field of the request")
    return found


def expect(name, method, path, body=None, status=200, key=config["key"], param=None, code=None):
    """Sends the request; the answer must have `status` (and the error's `param` and `code`) and match the document."""
    try:
        got, headers, data = request(method, path, body, key)
        found = problems(method, path, got, headers, data)
        if got != status:
            found.insert(0, f"expected {status}, got {got}")
        if param is not None and json.loads(data)["error"]["param"] != param:
            found.insert(0, f"expected param {param!r}")
        if code is not None and json.loads(data)["error"]["code"] != code:
            found.insert(0, f"expected code {code!r}")
        check(name, not found, f"{found} {data[:600]!r}")
    except Exception as error:
        check(name, False, f"{type(error).__name__}: {error}")


model = config["model"]
hi = [{"role": "user", "content": "Say hi."}]
weather = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city.",
                                             "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                            "required": ["city"]}}}]
chat = "/v1/chat/completions"
expect("health", "GET", "/health", key=None)
expect("models", "GET", "/v1/models")
expect("models_unauthorized", "GET", "/v1/models", status=401, key=None)
expect("chat", "POST", chat, {"model": model, "messages": hi, "max_tokens": 8, "temperature": 0})
expect("chat_logprobs_n", "POST", chat, {"messages": hi, "max_tokens": 4, "logprobs": True, "top_logprobs": 3, "n": 2, "seed": 1})
expect("chat_tool_call", "POST", chat, {"messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": weather,
                                       "tool_choice": "required", "max_tokens": 40, "temperature": 0})
expect("chat_stream", "POST", chat, {"messages": hi, "max_tokens": 6, "stream": True, "logprobs": True, "top_logprobs": 1,
                                    "stream_options": {"include_usage": True}})
expect("chat_stream_tool_call", "POST", chat, {"messages": [{"role": "user", "content": "Weather in Oslo?"}], "tools": weather,
                                              "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                                              "max_tokens": 40, "stream": True, "temperature": 0})
expect("chat_bad_request", "POST", chat, {"messages": hi, "temperature": -1}, status=400)
expect("chat_unknown_model", "POST", chat, {"model": "gpt-4o", "messages": hi}, status=404)
expect("chat_unauthorized", "POST", chat, {"messages": hi}, status=401, key=None)
expect("chat_too_large", "POST", chat, {"messages": hi, "padding": "x" * config["max_body"]}, status=413)
expect("chat_not_json", "POST", chat, b"{", status=400)
expect("completion", "POST", "/v1/completions", {"prompt": "def add(a, b):", "max_tokens": 6, "logprobs": 2, "echo": True})
expect("completion_tokens_stream", "POST", "/v1/completions", {"prompt": [[755, 912]], "max_tokens": 4, "stream": True,
                                                              "stream_options": {"include_usage": True}})
expect("completion_bad_request", "POST", "/v1/completions", {"prompt": "x", "n": 0}, status=400)
expect("completion_bad_logprobs", "POST", "/v1/completions", {"prompt": "x", "logprobs": 21}, status=400, param="logprobs")
expect("completion_fractional_n", "POST", "/v1/completions", {"prompt": "x", "n": 1.5}, status=400, code="invalid_type")
expect("tokenize", "POST", "/tokenize", {"content": "Hello, world", "add_special": True})
expect("tokenize_bad_request", "POST", "/tokenize", {"text": "no content field"}, status=400)
expect("detokenize", "POST", "/detokenize", {"tokens": [9707, 11, 1879]})
expect("detokenize_bad_request", "POST", "/detokenize", {"tokens": [-1]}, status=400)
messages = "/v1/messages"
expect("messages", "POST", messages, {"model": model, "max_tokens": 8, "messages": hi, "system": "Be brief.", "temperature": 0})
expect("messages_stream", "POST", messages, {"max_tokens": 6, "messages": hi, "stream": True})
expect("messages_tool_use", "POST", messages, {"max_tokens": 40, "messages": [{"role": "user", "content": "Weather in Paris?"}],
                                               "tools": [{"name": "get_weather", "input_schema": weather[0]["function"]["parameters"]}],
                                               "tool_choice": {"type": "any"}})
expect("messages_stream_tool_use", "POST", messages, {"max_tokens": 40, "stream": True,
                                                      "messages": [{"role": "user", "content": "Weather in Oslo?"}],
                                                      "tools": [{"name": "get_weather", "input_schema": weather[0]["function"]["parameters"]}],
                                                      "tool_choice": {"type": "tool", "name": "get_weather"}})
expect("messages_bad_request", "POST", messages, {"messages": hi}, status=400)
expect("messages_unknown_model", "POST", messages, {"model": "claude-x", "max_tokens": 4, "messages": hi}, status=404)
expect("messages_unauthorized", "POST", messages, {"max_tokens": 4, "messages": hi}, status=401, key=None)
expect("count_tokens", "POST", messages + "/count_tokens", {"messages": hi})
expect("metrics", "GET", "/metrics")
expect("openapi", "GET", "/openapi.json")
json.dump({"checks": checks}, sys.stdout)
