# Schemathesis hooks for the server's fuzz test: a bound on what a generated request costs (never on what it may
# be), and a check of our own. On the generating routes a valid `max_tokens` / `max_completion_tokens` above 2 (or
# neither given, or null) becomes 2 and a valid `n` above 2 becomes 2; invalid values (negative, `n` > 16, wrong
# type) pass unchanged, so the server must still refuse them. `map_case` runs in every phase (coverage and fuzzing).
import math

import schemathesis

GENERATING = {"/v1/chat/completions", "/v1/completions", "/v1/messages"}
# Where `max_tokens` is required: a request without it stays without it (the server must refuse it).
REQUIRED_MAX_TOKENS = {"/v1/messages"}
CAPS = {"max_tokens": 2, "max_completion_tokens": 2, "n": 2}
LARGEST_VALID = {"n": 16}


@schemathesis.hook
def map_case(context, case):
    body = case.body
    if case.operation.path not in GENERATING or not isinstance(body, dict):
        return case
    if (body.get("max_tokens") is None and body.get("max_completion_tokens") is None
            and case.operation.path not in REQUIRED_MAX_TOKENS):
        body["max_tokens"] = CAPS["max_tokens"]
    for field, cap in CAPS.items():
        value = body.get(field)
        # JSON Schema's integers include 8.0, which hypothesis generates and the server reads as 8.
        integral = type(value) in (int, float) and math.isfinite(value) and value == int(value)
        if integral and cap < value <= LARGEST_VALID.get(field, value):
            body[field] = cap
    return case


@schemathesis.check
def error_param_is_a_request_field(ctx, response, case):
    """A 4xx error's `param` names a field of the request body the operation documents (`messages[0].role` → `messages`)."""
    if response.status_code < 400 or response.status_code >= 500 or not isinstance(case.body, dict):
        return None
    try:
        param = response.json()["error"]["param"]
    except Exception:
        return None
    fields = case.operation.definition.raw.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = fields.get("schema", {})
    if "$ref" in schema:
        schema = case.operation.schema.raw_schema["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if param and param.split(".")[0].split("[")[0] not in schema.get("properties", {}):
        raise AssertionError(f"the error names {param!r}, which is not a field of the request")
    return None
