"""Pages over HTTP (time, queries, HTML size) and wrk load, against gunicorn with production settings."""

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from .server import PROXY_HEADERS, Client, Gunicorn

# Counts every answer that is not 2xx (wrk itself counts only 4xx/5xx, so a redirect would pass as
# a success) and prints one JSON line when done (latency in microseconds). `id` numbers the threads.
WRK_REPORT = r"""
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
bad = 0
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local e, not_2xx = summary.errors, 0
  for _, thread in ipairs(threads) do not_2xx = not_2xx + thread:get("bad") end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "not_2xx": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration, not_2xx, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def measure_pages(env: dict, session: dict, runs: int) -> list[dict]:
    """Each page: two warm-up requests (one per worker), then `runs` timed ones; the median is reported."""
    results = []
    with Gunicorn(env, app="bench.wsgi:application") as server:
        for page in session["pages"]:
            client = Client(server.port, session["cookies"].get(page["as"]))
            for _ in range(2):
                client.get(page["path"])
            times, costs = [], []
            for _ in range(runs):
                started = time.perf_counter()
                status, headers, body = client.get(page["path"])
                times.append((time.perf_counter() - started) * 1000)
                costs.append(headers)
            results.append(
                {
                    "page": page["name"],
                    "path": page["path"],
                    "as": page["as"],
                    "status": status,
                    "median_ms": round(statistics.median(times), 1),
                    "runs_ms": [round(t, 1) for t in times],
                    "queries": int(costs[-1].get("X-Bench-Queries", -1)),
                    "sql_ms": float(costs[-1].get("X-Bench-SQL-ms", -1)),
                    "bytes": len(body),
                }
            )
    return results


def wrk_available() -> bool:
    """Debian's wrk, installed with apt-get when missing."""
    if shutil.which("wrk"):
        return True
    print("Installing Debian's wrk (apt-get install wrk)", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
    return bool(shutil.which("wrk"))


def run_wrk(port: int, path: str, *, seconds: int, connections: int, headers: dict, script: str = "",
            script_args: list | None = None) -> dict:  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "bench.lua"
        lua.write_text(script + WRK_REPORT)
        command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(lua)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{path}")
        if script_args:
            command += ["--", *map(str, script_args)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    report["requests_per_s"] = round(report["requests"] / (report["duration_us"] / 1e6), 1)
    report["errors"] = report["not_2xx"] + report["socket_errors"]
    return report


def measure_load(env: dict, session: dict, seconds: int, connections: int = 8) -> list[dict]:
    """wrk against /healthz and the executive's /sheet/ on gunicorn with 2 workers (the plain production app)."""
    results = []
    with Gunicorn(env) as server:
        for name, path, role in [("/healthz", "/healthz", None), ("/sheet/ (executive)", "/sheet/", "executive")]:
            headers = dict(PROXY_HEADERS)
            if role:
                headers["Cookie"] = f"sessionid={session['cookies'][role]}"
            Client(server.port, session["cookies"].get(role)).get(path)
            report = run_wrk(server.port, path, seconds=seconds, connections=connections, headers=headers)
            results.append({"page": name, "path": path, "connections": connections, "seconds": seconds, **report})
    return results
