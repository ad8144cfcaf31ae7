# Fuzzes a running `kinglet serve` from its own /openapi.json with schemathesis (4.x): no 5xx, and every answer's
# status, content type, headers and body as documented; requests the document calls invalid must be refused, and
# their errors must name (`param`) a field of the request (a check of our own, in schemathesis_hooks.py).
# stdin: {"port": int, "key": str, "hooks": path of schemathesis_hooks.py, "max_examples": int, "min_cases": int};
# stdout: {"checks": {name: {"ok": bool, "detail": str}}}.
import json, os, re, subprocess, sys, tempfile

config = json.load(sys.stdin)
checks = {}


def check(name, ok, detail=""):
    checks[name] = {"ok": bool(ok), "detail": str(detail)[-6000:]}


base = f"http://127.0.0.1:{config['port']}"
with tempfile.TemporaryDirectory() as reports:
    run = subprocess.run(
        [sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()", "run", base + "/openapi.json",
         "--header", f"Authorization: Bearer {config['key']}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
                     "response_headers_conformance,response_schema_conformance,negative_data_rejection,"
                     "error_param_is_a_request_field",
         "--phases", "coverage,fuzzing", "--mode", "all", "--max-examples", str(config["max_examples"]),
         "--seed", "20261124", "--workers", "1", "--request-timeout", "120", "--generation-database", "none",
         "--report-dir", reports, "--no-color", "--output-sanitize", "false"],
        env={**os.environ, "SCHEMATHESIS_HOOKS": config["hooks"]}, capture_output=True, text=True, cwd=reports)
output = run.stdout + run.stderr
cases = re.search(r"(\d+) generated", output)
check("schemathesis_passed", run.returncode == 0, output)
check("schemathesis_ran", cases is not None and int(cases.group(1)) >= config["min_cases"],
      f"{cases.group(0) if cases else 'no count'}; wanted at least {config['min_cases']} cases")
json.dump({"checks": checks}, sys.stdout)
