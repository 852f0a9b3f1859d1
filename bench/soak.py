"""A bounded soak: executives, support leads, program admins and signed webhooks at a steady rate
against gunicorn (2 workers) and a Celery worker (2 processes), for a few minutes, on loopback.

Reported: requests made and answered as expected (any other status, or no answer, is an error),
latency, the resident memory (RSS) of gunicorn's and the worker's processes after the warm-up and
at the end, and the webhook events: every one posted must be applied (none pending, none failed)
once the worker has caught up. The events, tickets and responses made here are deleted afterwards.
"""

import hashlib
import hmac
import json
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from .server import ROOT, Client, Gunicorn

PREFIX = "SOAK"


def _rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, from /proc (gunicorn's and Celery's pools fork)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return round(total / 1024, 1)


def _count(dsn: str, sql: str, params=()) -> int:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


class Webhooks:
    """Signed bodies, each a new event: Zendesk tickets and Delighted responses for real customers."""

    def __init__(self, secret: str, external_ids: list[str]):
        self.secret, self.ids, self.n, self.lock = secret, external_ids, 0, threading.Lock()

    def next(self, kind: str) -> tuple[str, bytes, dict]:
        with self.lock:
            self.n += 1
            n = self.n
        now = datetime.now(UTC).replace(microsecond=0)
        customer = self.ids[n % len(self.ids)]
        if kind == "tickets":
            payload = {
                "ticket": {
                    "id": f"{PREFIX}{n}",
                    "subject": f"Soak ticket {n}",
                    "status": "open",
                    "priority": ("urgent", "high", "normal", "low")[n % 4],
                    "created_at": now.isoformat().replace("+00:00", "Z"),
                    "updated_at": now.isoformat().replace("+00:00", "Z"),
                    "organization": {"external_id": customer},
                    "tags": ["soak"],
                }
            }
        else:
            payload = {
                "event_type": "survey_response.created",
                "event_id": f"{PREFIX}-ev-{n}",
                "event_data": {
                    "id": f"{PREFIX}{n}",
                    "survey_type": "nps",
                    "score": 5 + n % 6,  # no detractor: an urgent alarm would change the data set's sheets
                    "comment": f"Soak comment {n}.",
                    "created_at": int(now.timestamp()),
                    "person_properties": {"customer_external_id": customer},
                },
            }
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return f"/api/webhooks/{kind}/", body, {"X-Signature": signature, "Content-Type": "application/json"}


def _mix(session: dict) -> list[tuple[str, str, str | None]]:
    """(what, path or webhook kind, role): one round of the steady mix, about a third webhooks."""
    customer = next(p["path"] for p in session["pages"] if p["path"].startswith("/customers/") and "?" not in p["path"])
    search = next(p["path"] for p in session["pages"] if p["path"].startswith("/customers/?q="))
    return [
        ("page", "/sheet/", "executive"),
        ("webhook", "tickets", None),
        ("page", "/commitments/", "executive"),
        ("page", "/flags/", "lead"),
        ("webhook", "surveys", None),
        ("page", search, "lead"),
        ("page", "/program/", "admin"),
        ("webhook", "tickets", None),
        ("page", "/imports/", "admin"),
        ("page", customer, "executive"),
        ("webhook", "surveys", None),
        ("page", "/admin/", "admin"),
    ]


def measure_soak(env: dict, dsn: str, session: dict, seconds: int, rate: float, threads: int = 8) -> dict:
    secret = secrets.token_hex(24)
    env = env | {"WEBHOOK_SECRET": secret}
    celery = str(Path(sys.executable).with_name("celery"))
    subprocess.run([celery, "-A", "ceocalls", "purge", "-f"], cwd=ROOT, env=env, capture_output=True, check=False)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT external_id FROM customers_customer ORDER BY id LIMIT 2000")
        external_ids = [row[0] for row in cur.fetchall()]
    first_id = _count(dsn, "SELECT COALESCE(MAX(id), 0) FROM imports_webhookevent")
    hooks, mix = Webhooks(secret, external_ids), _mix(session)
    latencies, errors, counts, lock = [], [], {"page": 0, "webhook": 0}, threading.Lock()
    worker = None
    result = {"seconds": seconds, "rate_per_s": rate, "threads": threads, "gunicorn_workers": 2, "worker_processes": 2}
    try:
        worker = subprocess.Popen(
            [celery, "-A", "ceocalls", "worker", "-c", "2", "--pool", "prefork", "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"soak{first_id}@%h"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        with Gunicorn(env) as server:
            started = time.monotonic()
            stop_at = started + seconds
            warm_until = started + min(30, seconds / 4)
            rss = {}

            def loop(index: int) -> None:
                clients = {
                    role: Client(server.port, session["cookies"].get(role)) for role in (None, *session["cookies"])
                }
                step, due, i = threads / rate, started + index / rate, index
                while True:
                    due += step
                    wait = due - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                    if time.monotonic() >= stop_at:
                        return
                    what, target, role = mix[i % len(mix)]
                    i += threads
                    began = time.perf_counter()
                    try:
                        if what == "webhook":
                            path, body, headers = hooks.next(target)
                            status, _, _ = clients[None].request("POST", path, body, headers)
                            ok = status == 202
                        else:
                            path = target
                            status, _, _ = clients[role].get(path)
                            ok = status == 200
                    except Exception as exc:  # no answer counts as an error too
                        status, ok = repr(exc), False
                    took = (time.perf_counter() - began) * 1000
                    with lock:
                        counts[what] += 1
                        latencies.append(took)
                        if not ok:
                            errors.append(f"{path} as {role or 'sender'}: {status}")

            workers = [threading.Thread(target=loop, args=(n,), daemon=True) for n in range(threads)]
            for thread in workers:
                thread.start()
            time.sleep(max(0.0, warm_until - time.monotonic()))
            rss["start"] = {"gunicorn": _rss_mb(server.process.pid), "worker": _rss_mb(worker.pid)}
            for thread in workers:
                thread.join()
            rss["end"] = {"gunicorn": _rss_mb(server.process.pid), "worker": _rss_mb(worker.pid)}
            elapsed = time.monotonic() - started
        posted = _count(dsn, "SELECT COUNT(*) FROM imports_webhookevent WHERE id > %s", [first_id])
        pending_sql = "SELECT COUNT(*) FROM imports_webhookevent WHERE id > %s AND status = 'pending'"
        deadline = time.monotonic() + 120
        while _count(dsn, pending_sql, [first_id]) and time.monotonic() < deadline:
            time.sleep(0.5)
        by_status = {}
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT status, COUNT(*) FROM imports_webhookevent WHERE id > %s GROUP BY status", [first_id])
            by_status = dict(cur.fetchall())
        requests = counts["page"] + counts["webhook"]
        result.update(
            requests=requests,
            pages=counts["page"],
            webhooks=counts["webhook"],
            achieved_per_s=round(requests / elapsed, 1),
            errors=len(errors),
            first_errors=errors[:5],
            p50_ms=round(statistics.median(latencies), 1) if latencies else None,
            p99_ms=round(statistics.quantiles(latencies, n=100)[98], 1) if len(latencies) >= 100 else None,
            rss_mb=rss,
            events_stored=posted,
            events_applied=by_status.get("applied", 0),
            events_failed=by_status.get("failed", 0),
            events_pending=by_status.get("pending", 0),
        )
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
            cur.execute("DELETE FROM customers_surveyresponse WHERE external_id LIKE %s", [f"{PREFIX}%"])
    return result
