"""Signed ticket webhooks: accepted per second (wrk, gunicorn with 2 workers, Redis as the broker),
then applied per second by a Celery worker with two processes. The events and tickets made here
are deleted afterwards, so the cached data set stays as generated."""

import hashlib
import hmac
import json
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2

from .server import PROXY_HEADERS, ROOT, Gunicorn
from .web import run_wrk

PREFIX = "WHB"  # external ids of the tickets this benchmark posts

# Each wrk thread walks its own share of the pre-signed bodies, so every request is a new event.
WRK_POST = r"""
local sigs, bodies, n, counter, threads = {}, {}, 0, 0, 1
function init(args)
  threads = tonumber(args[2])
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    sigs[#sigs + 1] = line:sub(1, tab - 1)
    bodies[#bodies + 1] = line:sub(tab + 1)
  end
  n = #bodies
end
function request()
  local i = (counter * threads + id) % n + 1
  counter = counter + 1
  local headers = {["X-Signature"] = sigs[i], ["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", nil, headers, bodies[i])
end
"""


def _bodies(path: Path, secret: str, external_ids: list[str], count: int) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with path.open("w") as f:
        for n in range(count):
            created = now - timedelta(minutes=n % 600)
            ticket = {
                "ticket": {
                    "id": f"{PREFIX}{n}",
                    "subject": f"Export fails with error {n % 97}",
                    "status": "open",
                    "priority": ("urgent", "high", "normal", "low")[n % 4],
                    "created_at": created.isoformat().replace("+00:00", "Z"),
                    "updated_at": now.isoformat().replace("+00:00", "Z"),
                    "organization": {"external_id": external_ids[n % len(external_ids)]},
                    "tags": ["api"],
                }
            }
            body = json.dumps(ticket, separators=(",", ":")).encode()
            signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            f.write(f"{signature}\t{body.decode()}\n")


def _count(dsn: str, sql: str, params=()) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


def measure_webhooks(
    env: dict, dsn: str, seconds: int, connections: int = 8, timeout: int = 120, threads: int = 4
) -> dict:
    secret = secrets.token_hex(24)
    env = env | {"WEBHOOK_SECRET": secret}
    celery = str(Path(sys.executable).with_name("celery"))
    # Tasks left on the bench's own broker database by an interrupted run would be applied below.
    subprocess.run([celery, "-A", "ceocalls", "purge", "-f"], cwd=ROOT, env=env, capture_output=True, check=False)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT external_id FROM customers_customer ORDER BY id LIMIT 5000")
        external_ids = [row[0] for row in cur.fetchall()]
    first_id = _count(dsn, "SELECT COALESCE(MAX(id), 0) FROM imports_webhookevent")
    result = {"connections": connections, "seconds": seconds, "gunicorn_threads": threads, "worker_processes": 2}
    worker = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bodies = Path(tmp) / "bodies.tsv"
            _bodies(bodies, secret, external_ids, count=max(2_000, seconds * 2_000))
            with Gunicorn(env, threads=threads) as server:
                report = run_wrk(server.port, "/api/webhooks/tickets/", seconds=seconds, connections=connections,
                                 headers=PROXY_HEADERS, script=WRK_POST, script_args=[bodies, 2])  # fmt: skip
        stored = _count(dsn, "SELECT COUNT(*) FROM imports_webhookevent WHERE id > %s", [first_id])
        result.update(
            accepted=report["requests"] - report["not_2xx"],
            stored=stored,
            accepted_per_s=round(stored / (report["duration_us"] / 1e6), 1),
            errors=report["errors"],
            p99_ms=report["p99_ms"],
        )
        # The worker starts after the posting stopped, so applying is measured on its own.
        worker = subprocess.Popen(
            [celery, "-A", "ceocalls", "worker", "-c", "2", "--pool", "prefork", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench{first_id}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        pending_sql = "SELECT COUNT(*) FROM imports_webhookevent WHERE id > %s AND status = 'pending'"
        started = first_applied = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = _count(dsn, pending_sql, [first_id])
            now = time.monotonic()
            if first_applied is None and pending < stored:
                first_applied, started = now, pending
            if pending == 0:
                break
            time.sleep(0.1)
        done = time.monotonic()
        failed = _count(
            dsn, "SELECT COUNT(*) FROM imports_webhookevent WHERE id > %s AND status = 'failed'", [first_id]
        )
        applied = stored - _count(dsn, pending_sql, [first_id])
        if first_applied is not None and started is not None and done > first_applied:
            result["applied_per_s"] = round((applied - (stored - started)) / (done - first_applied), 1)
        result.update(applied=applied, failed=failed)
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("DELETE FROM imports_webhookevent WHERE id > %s", [first_id])
            cur.execute("DELETE FROM customers_supportticket WHERE external_id LIKE %s", [f"{PREFIX}%"])
    return result
