# Checks `kinglet serve --metrics`: the exposition parses as Prometheus text (format 0.0.4), and after chat and
# completion requests its counters agree with the usage the responses reported. A second server, started without
# --metrics, must answer /metrics with 404.
# stdin: {"port": int, "model": str, "plain_port": int}; stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
import http.client, json, math, re, sys

config = json.load(sys.stdin)
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:3000]}


def request(method, path, body=None, port=config["port"]):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, path, body=None if body is None else json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read().decode()
    finally:
        connection.close()


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(rf"^({NAME})(?:\{{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\n]|\\.)*\",?)*)\}})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')


def parse(text):
    """{family: {"type": str, "samples": [(name, labels, value)]}}; raises ValueError on any malformed line."""
    families, current = {}, None
    if not text.endswith("\n"):
        raise ValueError("the exposition does not end with a newline")
    for line in text.splitlines():
        if not line:
            continue
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]):
                raise ValueError(f"bad comment line: {line!r}")
            family = families.setdefault(parts[2], {"type": None, "samples": []})
            if parts[1] == "TYPE":
                if parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped") or family["type"]:
                    raise ValueError(f"bad or repeated TYPE: {line!r}")
                family["type"] = parts[3]
            current = parts[2]
            continue
        if line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if not match:
            raise ValueError(f"bad sample line: {line!r}")
        name, labels, value = match.group(1), dict(LABEL.findall(match.group(2) or "")), float(match.group(3))
        owner = next((f for f in (name, re.sub(r"_(bucket|sum|count)$", "", name)) if f in families), None)
        if owner is None or owner != current:
            raise ValueError(f"sample {name} outside its family's TYPE block")
        families[owner]["samples"].append((name, labels, value))
    for name, family in families.items():
        if family["type"] is None:
            raise ValueError(f"{name} has no TYPE")
        if family["type"] == "histogram":
            buckets = [(float(labels["le"]), value) for sample, labels, value in family["samples"] if sample.endswith("_bucket")]
            count = [value for sample, _, value in family["samples"] if sample == name + "_count"]
            if not buckets or buckets[-1][0] != math.inf or any(b[1] > a[1] for b, a in zip(buckets, buckets[1:])) \
                    or count != [buckets[-1][1]] or not any(sample == name + "_sum" for sample, _, _ in family["samples"]):
                raise ValueError(f"histogram {name} is malformed: {family['samples']}")
    return families


def value(families, name, **labels):
    family = families.get(re.sub(r"_(bucket|sum|count)$", "", name)) or families.get(name)
    found = [v for sample, l, v in (family or {"samples": []})["samples"] if sample == name and all(l.get(k) == w for k, w in labels.items())]
    return sum(found) if found else None


hi = [{"role": "user", "content": "Say hi."}]
usages = []
for body in ({"model": config["model"], "messages": hi, "max_tokens": 8, "temperature": 0},
             {"model": config["model"], "messages": hi, "max_tokens": 5, "n": 2, "seed": 3}):
    status, _, text = request("POST", "/v1/chat/completions", body)
    check(f"chat_{len(usages)}", status == 200, text)
    usages.append(json.loads(text)["usage"] if status == 200 else {})
status, _, text = request("POST", "/v1/completions", {"prompt": "def add(a, b):", "max_tokens": 4, "stream": True,
                                                    "stream_options": {"include_usage": True}})
usage = next((json.loads(event[6:])["usage"] for event in text.split("\n\n")
              if event.startswith("data: {") and json.loads(event[6:]).get("usage")), {})
check("completion_stream", status == 200 and usage, text[-500:])
usages.append(usage)
request("POST", "/v1/chat/completions", {"messages": hi, "top_p": 7})
request("GET", "/no/such/route")

status, content_type, text = request("GET", "/metrics")
check("served", status == 200 and content_type.startswith("text/plain; version=0.0.4"), f"{status} {content_type}")
try:
    families = parse(text)
    check("parses", True)
except ValueError as error:
    families = {}
    check("parses", False, f"{error}\n{text}")


def expect(name, got, wanted):
    check(name, got == wanted, f"got {got}, wanted {wanted}\n{text}")


def total(field, inner=None):
    return sum((u.get(field, {}) or {}).get(inner, 0) if inner else u.get(field, 0) for u in usages)


chat = "/v1/chat/completions"
expect("requests_chat_200", value(families, "kinglet_requests_total", route=chat, status="200"), 2)
expect("requests_completions_200", value(families, "kinglet_requests_total", route="/v1/completions", status="200"), 1)
expect("requests_chat_400", value(families, "kinglet_requests_total", route=chat, status="400"), 1)
expect("requests_unknown_route_404", value(families, "kinglet_requests_total", route="other", status="404"), 1)
expect("prompt_tokens", value(families, "kinglet_prompt_tokens_total"), total("prompt_tokens"))
expect("cached_prompt_tokens", value(families, "kinglet_prompt_tokens_cached_total"), total("prompt_tokens_details", "cached_tokens"))
expect("generated_tokens", value(families, "kinglet_generated_tokens_total"), total("completion_tokens"))
check("generated_some", total("completion_tokens") > 0, usages)
# Every request generated (at least one token): one time-to-first-token each; one decode speed per choice that decoded.
expect("time_to_first_token_count", value(families, "kinglet_time_to_first_token_seconds_count"), 3)
ttft = value(families, "kinglet_time_to_first_token_seconds_sum")
check("time_to_first_token_plausible", ttft is not None and 0 < ttft < 600, ttft)
speeds = value(families, "kinglet_decode_tokens_per_second_count")
check("decode_speed_recorded", speeds is not None and 1 <= speeds <= 4, speeds)
expect("types", {name: families.get(name, {}).get("type") for name in
                 ["kinglet_requests_total", "kinglet_generated_tokens_total", "kinglet_time_to_first_token_seconds",
                  "kinglet_decode_tokens_per_second", "kinglet_queue_length", "kinglet_busy_slots", "kinglet_kv_cache_usage_ratio"]},
       {"kinglet_requests_total": "counter", "kinglet_generated_tokens_total": "counter",
        "kinglet_time_to_first_token_seconds": "histogram", "kinglet_decode_tokens_per_second": "histogram",
        "kinglet_queue_length": "gauge", "kinglet_busy_slots": "gauge", "kinglet_kv_cache_usage_ratio": "gauge"})
expect("idle_gauges", [value(families, "kinglet_queue_length"), value(families, "kinglet_busy_slots")], [0, 0])
# The batch: no sequence busy when idle, and the cache still holding what the requests evaluated (for prefix reuse),
# as /health counts it.
health = json.loads(request("GET", "/health")[2])
used = value(families, "kinglet_kv_cache_used_tokens")
expect("batch_gauges", [value(families, "kinglet_batch_sequences_busy"), used], [0, health["kv_cache_used_positions"]])
check("kv_cache_ratio", used and abs(value(families, "kinglet_kv_cache_usage_ratio") - used / health["kv_cache_positions"]) < 1e-9,
      f"{used} {value(families, 'kinglet_kv_cache_usage_ratio')} {health}")
# The scrape itself is counted once the answer is out.
status, _, again = request("GET", "/metrics")
check("scrapes_counted", status == 200 and 'kinglet_requests_total{route="/metrics",status="200"} 1' in again, again)
status, _, text = request("GET", "/metrics", port=config["plain_port"])
check("absent_without_flag", status == 404 and "unknown_route" in text, f"{status} {text}")
json.dump({"checks": checks}, sys.stdout)
