# Load: 16 streaming clients of the official `openai` client for `seconds`, each with its own prompts
# and seeds, a quarter of them leaving mid-stream. Then: no client saw an error; every request that
# ran more than once under load streamed the same text each time, and each equals the same request
# run alone (by seed) — the partial streams of the clients that left are prefixes of it; the slots,
# the batch and the server's memory are back to their level before the load; the server still serves.
# stdin: {"port": int, "model": str, "pid": int, "seconds": float, "clients": int}; stdout: {"checks": {...}}.
import json, random, sys, threading, time, urllib.request
import openai

config = json.load(sys.stdin)
port, model, pid = config["port"], config["model"], config["pid"]
seconds, clients = config["seconds"], config["clients"]
base = f"http://127.0.0.1:{port}"
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:3000]}


def health():
    with urllib.request.urlopen(base + "/health", timeout=30) as response:
        return json.load(response)


def rss_bytes():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


PROMPTS = [
    "Write a short poem about the sea.",
    "Explain what a linked list is.",
    "Give me three ideas for a birthday party.",
    "Describe the taste of coffee to someone who never had it.",
    "Write a Python function that checks whether a number is prime.",
    "What are the main causes of inflation?",
    "Tell a story about a robot who learns to paint.",
    "List five countries in Africa and their capitals.",
]
MAX_TOKENS = 40


def request(combo):
    prompt, seed = combo
    return dict(model=model, messages=[{"role": "user", "content": PROMPTS[prompt]}],
                temperature=0.9, seed=seed, max_tokens=MAX_TOKENS)


def stream(client, combo, leave_after=None):
    """Streams `combo`; returns (text, finish_reason, whole). Leaves after `leave_after` content chunks."""
    text, finish, chunks = "", None, 0
    response = client.chat.completions.create(stream=True, **request(combo))
    try:
        for chunk in response:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            if choice.delta.content:
                text += choice.delta.content
                chunks += 1
            finish = choice.finish_reason or finish
            if leave_after is not None and chunks >= leave_after:
                return text, None, False
    finally:
        response.close()   # closes the connection: for a client leaving, mid-stream
    return text, finish, True


results, errors = [], []
lock = threading.Lock()


def client_loop(index, deadline):
    rng = random.Random(index)
    client = openai.OpenAI(base_url=base + "/v1", api_key="none", max_retries=0, timeout=300)
    leaves = index % 4 == 0
    while time.monotonic() < deadline:
        # Each client has two prompts and three seeds of its own, so requests repeat under load.
        combo = (rng.choice([index % 8, (index + 3) % 8]), 100 * index + rng.randrange(3))
        try:
            text, finish, whole = stream(client, combo, leave_after=rng.randrange(2, 8) if leaves else None)
            with lock:
                results.append((combo, text, finish, whole))
        except Exception as error:
            with lock:
                errors.append(f"client {index} {combo}: {type(error).__name__}: {error}")


def run_clients(count, duration):
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=client_loop, args=(i, deadline)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def settle():
    """Waits until no request holds a slot or a sequence; returns the last /health."""
    deadline = time.monotonic() + 30
    state = health()
    while (state["slots_processing"] or state["queued"] or state["sequences_busy"]) and time.monotonic() < deadline:
        time.sleep(0.1)
        state = health()
    return state


# Warm up (every sequence evaluates prompts and answers), then take the baseline.
run_clients(clients, 8)
warm = settle()
baseline_rss = rss_bytes()
results.clear()
errors.clear()

start = time.monotonic()
run_clients(clients, seconds)
elapsed = time.monotonic() - start
after = settle()
after_rss = rss_bytes()

whole = [r for r in results if r[3]]
left = [r for r in results if not r[3]]
check("ran_long_enough", elapsed >= seconds and len(whole) >= 2 * clients and len(left) >= clients // 4,
      f"{elapsed:.0f} s, {len(whole)} whole streams, {len(left)} left mid-stream")
check("no_client_errors", not errors, "\n".join(errors[:10]))

by_combo = {}
for combo, text, finish, _ in whole:
    by_combo.setdefault(combo, set()).add((text, finish))
mixed = {c: v for c, v in by_combo.items() if len(v) > 1}
check("repeats_identical_under_load", not mixed and any(sum(1 for r in whole if r[0] == c) > 1 for c in by_combo),
      f"{len(mixed)} of {len(by_combo)} requests differed between runs: {list(mixed.items())[:2]}")

# The same requests alone, one at a time on the now idle server.
client = openai.OpenAI(base_url=base + "/v1", api_key="none", max_retries=0, timeout=300)
sample = sorted(by_combo)[:: max(1, len(by_combo) // 12)]
sample += sorted({r[0] for r in left} - set(sample))[:6]
alone = {}
for combo in sample:
    response = client.chat.completions.create(**request(combo))
    alone[combo] = response.choices[0].message.content or ""
different = [(c, alone[c], next(iter(by_combo[c]))[0]) for c in sample if c in by_combo and next(iter(by_combo[c]))[0] != alone[c]]
check("each_equals_alone", not different and len(alone) >= 8,
      f"{len(different)} of {len(alone)} differ from the request alone: {different[:2]}")
not_prefix = [(c, t, alone[c]) for c, t, _, _ in left if c in alone and not alone[c].startswith(t)]
check("partial_streams_are_prefixes", not not_prefix and any(c in alone for c, *_ in left),
      f"{len(not_prefix)} partial streams are not a prefix of the request alone: {not_prefix[:2]}")

check("slots_back_to_baseline",
      after["slots_processing"] == 0 and after["queued"] == 0 and after["sequences_busy"] == 0
      and after["cancelled_generations"] >= warm["cancelled_generations"] + len(left) // 2,
      f"before {warm}, after {after}, {len(left)} clients left")
# The cache and buffers are allocated up front; what the load adds beyond the warm-up is garbage.
check("memory_back_to_baseline", after_rss <= baseline_rss + (48 << 20),
      f"RSS {baseline_rss / 2**20:.1f} MiB after warm-up, {after_rss / 2**20:.1f} MiB after the load")
final = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=4)
check("serving_after_load", final.choices[0].finish_reason in ("stop", "length"), final)
generated = sum(len(t) for _, t, _, _ in results)
check("throughput", True, f"{len(results)} streams, {generated} characters in {elapsed:.0f} s")
json.dump({"checks": checks}, sys.stdout)
