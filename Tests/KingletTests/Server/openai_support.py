# What the check scripts that use the official `openai` client share; runs before them, in the same file.
# stdin: {"port": int, "model": str, "key": str (optional), …}; the script adds its checks and dumps `checks`.
import json, sys, urllib.error, urllib.request
import openai

config = json.load(sys.stdin)
base = f"http://127.0.0.1:{config['port']}"
client = openai.OpenAI(base_url=base + "/v1", api_key=config.get("key", "none"), max_retries=0, timeout=300)
model = config["model"]
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[:3000]}


def run(name, body):
    try:
        body()
    except Exception as error:  # a failed check, not a crashed script
        check(name, False, f"{type(error).__name__}: {error}")


def post_status(path, payload):
    """POSTs JSON; returns the status and the decoded body, for errors too."""
    request = urllib.request.Request(base + path, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {config.get('key', 'none')}"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def post(path, payload):
    status, body = post_status(path, payload)
    if status != 200:
        raise RuntimeError(f"POST {path}: {status} {body}")
    return body
