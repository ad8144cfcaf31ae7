# A client that leaves mid-stream must free its slot at once: with --parallel 1 --queue 0, a second
# request meanwhile gets 503 with Retry-After; after the disconnect, /health shows the slot free and
# the generation counted as cancelled, and a new request completes.
# stdin: {"port": int, "model": str, "pid": int}; stdout: {"checks": {...}}.
import http.client, json, os, socket, sys, time

config = json.load(sys.stdin)
port, model = config["port"], config["model"]
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


# Ban the end-of-turn tokens so the answer would run for the whole max_tokens: only a cancellation ends it early.
eog = json.loads(request("POST", "/tokenize", {"content": "<|im_end|><|endoftext|>"})[2])["tokens"]
long_request = {"model": model, "stream": True, "max_tokens": 1500, "temperature": 0,
                "logit_bias": {str(t): -100 for t in eog},
                "messages": [{"role": "user", "content": "Count from 1 to 1000, one number per line."}]}
body = json.dumps(long_request).encode()
sock = socket.create_connection(("127.0.0.1", port), timeout=60)
sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
received = b""
while received.count(b"data: ") < 6:
    piece = sock.recv(4096)
    if not piece:
        break
    received += piece
check("stream_started", received.startswith(b"HTTP/1.1 200") and received.count(b"data: ") >= 6, received[:300])

status, headers, data = request("POST", "/v1/chat/completions", {"model": model, "max_tokens": 2,
                                                                "messages": [{"role": "user", "content": "hi"}]})
check("busy_is_503_with_retry_after", status == 503 and "Retry-After" in headers
      and json.loads(data)["error"]["code"] == "server_busy", f"{status} {headers} {data[:200]!r}")

start = time.monotonic()
sock.close()
health = {}
while time.monotonic() - start < 10:
    health = json.loads(request("GET", "/health")[2])
    if health["slots_processing"] == 0 and health["cancelled_generations"] == 1:
        break
    time.sleep(0.05)
freed_after = time.monotonic() - start
check("slot_freed_and_cancelled", health.get("slots_processing") == 0 and health.get("cancelled_generations") == 1,
      f"{health} after {freed_after:.2f}s")



def cpu_seconds(pid):
    # utime + stime of the server process (fields 14 and 15 of /proc/PID/stat, in clock ticks).
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Had the generation kept running (1,500 tokens), the server would burn its cores; stopped, it idles.
if os.path.exists(f"/proc/{config['pid']}/stat"):
    time.sleep(0.3)
    before = cpu_seconds(config["pid"])
    time.sleep(1.0)
    used = cpu_seconds(config["pid"]) - before
    check("generation_stopped_server_idle", used < 0.25, f"{used:.2f} s of CPU in 1 s after the disconnect")
else:
    check("generation_stopped_server_idle", True, "no /proc: not measured")

start = time.monotonic()
status, _, data = request("POST", "/v1/chat/completions", {"model": model, "max_tokens": 4, "temperature": 0,
                                                          "messages": [{"role": "user", "content": "hi"}]})
check("next_request_completes", status == 200 and json.loads(data)["usage"]["completion_tokens"] >= 1,
      f"{status} in {time.monotonic() - start:.2f}s")
json.dump({"checks": checks, "freed_after_seconds": freed_after}, sys.stdout)
