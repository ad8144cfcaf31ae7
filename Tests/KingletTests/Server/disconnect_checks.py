# A client that leaves must free its slot at once, streaming or not: with --parallel 1 --queue 0, a second
# request meanwhile gets 503 with Retry-After; after the disconnect, /health shows the slot free and the
# generation counted as cancelled, the server's CPU goes idle, and a new request completes.
# stdin: {"port": int, "model": str, "pid": int}; stdout: {"checks": {...}}.
import http.client, json, os, socket, sys, time

config = json.load(sys.stdin)
port, model, pid = config["port"], config["model"], config["pid"]
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:2000]}


def request(method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


def health():
    return json.loads(request("GET", "/health")[2])


def cpu_seconds():
    # utime + stime of the server process (fields 14 and 15 of /proc/PID/stat, in clock ticks).
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Ban the end-of-turn tokens so the answer would run for the whole max_tokens: only a cancellation ends it early.
eog = json.loads(request("POST", "/tokenize", {"content": "<|im_end|><|endoftext|>"})[2])["tokens"]


def abandon(kind, stream, cancelled_before):
    body = json.dumps({"model": model, "stream": stream, "max_tokens": 1500, "temperature": 0,
                       "logit_bias": {str(t): -100 for t in eog},
                       "messages": [{"role": "user", "content": "Count from 1 to 1000, one number per line."}]}).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    if stream:
        received = b""
        while received.count(b"data: ") < 6:
            piece = sock.recv(4096)
            if not piece:
                break
            received += piece
        check(f"{kind}_started", received.startswith(b"HTTP/1.1 200") and received.count(b"data: ") >= 6, received[:300])
    else:
        deadline = time.monotonic() + 30
        while health()["slots_processing"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)   # well into decoding
        check(f"{kind}_started", health()["slots_processing"] == 1)

    status, headers, data = request("POST", "/v1/chat/completions", {"model": model, "max_tokens": 2,
                                                                    "messages": [{"role": "user", "content": "hi"}]})
    check(f"{kind}_busy_is_503_with_retry_after", status == 503 and "Retry-After" in headers
          and json.loads(data)["error"]["code"] == "server_busy", f"{status} {headers} {data[:200]!r}")

    start = time.monotonic()
    sock.close()
    state = {}
    while time.monotonic() - start < 10:
        state = health()
        if state["slots_processing"] == 0 and state["cancelled_generations"] == cancelled_before + 1:
            break
        time.sleep(0.05)
    check(f"{kind}_slot_freed_and_cancelled", state.get("slots_processing") == 0
          and state.get("cancelled_generations") == cancelled_before + 1, f"{state} after {time.monotonic() - start:.2f}s")

    # Had the generation kept running (1,500 tokens, tens of seconds), the server would keep burning its cores;
    # stopped, it idles once the forward pass under way ends (a prompt chunk can take a while on a loaded machine).
    if os.path.exists(f"/proc/{pid}/stat"):
        windows = []
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            before = cpu_seconds()
            time.sleep(0.5)
            windows.append(round(cpu_seconds() - before, 2))
            if windows[-1] < 0.1:
                break
        check(f"{kind}_generation_stopped_server_idle", windows[-1] < 0.1, f"CPU seconds per 0.5 s window: {windows}")
    else:
        check(f"{kind}_generation_stopped_server_idle", True, "no /proc: not measured")

    start = time.monotonic()
    status, _, data = request("POST", "/v1/chat/completions", {"model": model, "max_tokens": 4, "temperature": 0,
                                                              "messages": [{"role": "user", "content": "hi"}]})
    check(f"{kind}_next_request_completes", status == 200 and json.loads(data)["usage"]["completion_tokens"] >= 1,
          f"{status} in {time.monotonic() - start:.2f}s")


abandon("stream", True, 0)
abandon("non_stream", False, 1)
json.dump({"checks": checks}, sys.stdout)
