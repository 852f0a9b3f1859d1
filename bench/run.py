"""make bench: every measure beside its baseline, in the same run, at a given scale.

    python -m bench [--scale 10000] [--skip wrk,webhooks,...] [--readme]

Each step runs in processes of its own with production settings (DEBUG off, a SECRET_KEY,
ALLOWED_HOSTS) against a database of its own (`<prefix>_<scale>`, e.g. ceocalls_bench_10k),
generated once a day with COPY (bench/dataset.py) and reused while it matches the code.
"""

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg2

from . import dataset, report
from .server import ROOT, production_env

STEPS = ("build", "pages", "wrk", "webhooks", "growth", "imports")
GROWTH_SCALES = (10_000, 30_000, 100_000)
FULL_SCALE = 100_000


MEASURED = {"mode", "seconds", "queries", "peak_mb", "django_mb", "cpu_python_s", "cpu_database_s"}


def _median_or_none(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def label(scale: int) -> str:
    return f"{scale // 1000}k" if scale % 1000 == 0 else str(scale)


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL when it names one, else the local one."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return url


def database_url(name: str) -> str:
    parts = urlparse(server_url())
    return urlunparse(parts._replace(path=f"/{name}"))


def child(args: list[str], env: dict, *, quiet: bool = False) -> str:
    """Runs `python <args>` in the worktree; its last stdout line is returned (a JSON answer)."""
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"`python {' '.join(args)}` failed with exit status {done.returncode}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


class Bench:
    def __init__(self, args):
        self.args = args
        self.secret = secrets.token_urlsafe(60)
        self.redis = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
        self.results: dict = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "scale": args.scale,
            "machine": machine(),
            "runs": args.runs,
        }

    def env(self, db: str, **extra) -> dict:
        return production_env(database_url(db), self.secret, self.redis, **extra)

    def say(self, text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)

    # --- data sets ---------------------------------------------------------------------------
    def dataset(self, scale: int) -> tuple[str, dict]:
        name = f"{self.args.db_prefix}_{label(scale)}"
        meta = None if self.args.fresh else self._cached(name, scale)
        if meta is not None:
            self.say(f"{name}: reusing the data set generated at {meta['generated_at']}")
            return name, meta
        self.say(f"{name}: generating {scale:,} customers with COPY")
        conn = psycopg2.connect(database_url("postgres"))
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        env = self.env(name)
        started = time.perf_counter()
        child(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        migrated = time.perf_counter() - started
        meta = json.loads(child(["-m", "bench.dataset", "--scale", str(scale), "--seed", str(self.args.seed)], env))
        meta["seconds"]["migrate"] = round(migrated, 1)
        meta["seconds"]["total"] = round(time.perf_counter() - started, 1)
        self.say(f"{name}: ready in {meta['seconds']['total']:.0f} s ({json.dumps(meta['counts'])})")
        return name, meta

    def _cached(self, name: str, scale: int) -> dict | None:
        """A data set made today, by this generator, with this seed, on an up-to-date schema."""
        try:
            with psycopg2.connect(database_url(name)) as conn, conn.cursor() as cur:
                meta = dataset.read_meta(cur)
            conn.close()
        except psycopg2.OperationalError:
            return None
        if not meta or meta.get("version") != dataset.VERSION or meta.get("scale") != scale:
            return None
        if meta.get("seed") != self.args.seed or meta.get("generated_at", "")[:10] != self.results["date"][:10]:
            return None
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=self.env(name), capture_output=True
        )
        return meta if check.returncode == 0 else None

    # --- measures ----------------------------------------------------------------------------
    def build(self, db: str, runs: int, modes=("sql", "real", "dry")) -> dict:
        """Runs interleaved (query, real, dry, query, ...), so a busy moment of the machine hits all alike."""
        samples = {m: [] for m in modes}
        for _ in range(runs):
            for mode in modes:
                samples[mode].append(json.loads(child(["-m", "bench.build", mode], self.env(db))))
        out = {}
        for mode, rows in samples.items():
            out[mode] = {
                "seconds": round(statistics.median(r["seconds"] for r in rows), 3),
                "queries": int(statistics.median(r["queries"] for r in rows)),
                "peak_mb": round(statistics.median(r["peak_mb"] for r in rows), 1),
                "django_mb": round(statistics.median(r["django_mb"] for r in rows), 1),
                "cpu_python_s": round(statistics.median(r["cpu_python_s"] for r in rows), 2),
                "cpu_database_s": _median_or_none(r["cpu_database_s"] for r in rows),
                "runs_s": [r["seconds"] for r in rows],
            } | {k: v for k, v in rows[-1].items() if k not in MEASURED}
        if "sql" in out:
            for mode in ("real", "dry"):
                if mode in out and out["sql"]["seconds"]:
                    out[mode]["times_query"] = round(out[mode]["seconds"] / out["sql"]["seconds"], 1)
        return out

    def run(self) -> dict:
        args, skip = self.args, set(self.args.skip)
        db, meta = self.dataset(args.scale)
        self.results["dataset"] = meta
        if "build" not in skip:
            self.say("weekly build beside the hand-written query")
            self.results["build"] = self.build(db, args.runs)
            vacuum(db)  # the rolled-back builds left dead rows behind; the pages should not pay for them
        session = None
        if not {"pages", "wrk"} <= skip:
            child(["manage.py", "collectstatic", "--noinput", "-v", "0"], self.env(db))
            session = json.loads(child(["-m", "bench.sessions"], self.env(db)))
        if "pages" not in skip:
            from .web import measure_pages

            self.say("pages over HTTP beside /healthz")
            self.results["pages"] = measure_pages(self.env(db), session, args.runs)
        if "wrk" not in skip:
            from .web import measure_load, wrk_available

            if wrk_available():
                self.say(f"wrk, {args.wrk_seconds} s per page")
                self.results["load"] = measure_load(self.env(db), session, args.wrk_seconds)
            else:
                self.results["load"] = {"skipped": "wrk is not installed and apt-get could not install it"}
        if "webhooks" not in skip:
            from .web import wrk_available
            from .webhooks import measure_webhooks

            if wrk_available():
                self.say(f"signed webhooks for {args.wrk_seconds} s, then a worker with 2 processes applies them")
                self.results["webhooks"] = measure_webhooks(self.env(db), database_url(db), args.wrk_seconds)
        if args.soak:
            from .soak import measure_soak

            if session is None:
                child(["manage.py", "collectstatic", "--noinput", "-v", "0"], self.env(db))
                session = json.loads(child(["-m", "bench.sessions"], self.env(db)))
            self.say(f"soak: {args.soak} s at {args.soak_rate:g} requests/s (pages and signed webhooks), with a worker")
            self.results["soak"] = measure_soak(self.env(db), database_url(db), session, args.soak, args.soak_rate)
        if "imports" not in skip:
            self.results["imports"] = self.imports()
        if "growth" not in skip and (args.growth or args.scale >= FULL_SCALE):
            self.results["growth"] = self.growth(db)
        return self.results

    def growth(self, main_db: str) -> list[dict]:
        rows = []
        for scale in sorted(set(GROWTH_SCALES) | {self.args.scale}):
            if scale > self.args.scale:
                continue
            if scale == self.args.scale and "build" in self.results:
                measured, counts = self.results["build"], self.results["dataset"]["counts"]
            else:
                db, meta = self.dataset(scale)
                self.say(f"growth: build at {scale:,} customers")
                measured, counts = self.build(db, self.args.runs, modes=("sql", "real")), meta["counts"]
            rows.append(
                {
                    "customers": scale,
                    "tickets": counts["tickets"],
                    "real_s": measured["real"]["seconds"],
                    "real_queries": measured["real"]["queries"],
                    "real_peak_mb": measured["real"]["peak_mb"],
                    "query_s": measured["sql"]["seconds"],
                }
            )
        return rows

    def imports(self) -> dict:
        """bench/imports.py (issue 13) when it is there: its main() returns a dict of figures."""
        if self.args.scale < FULL_SCALE and not self.args.with_imports:
            print("imports: full scale only (make bench SCALE=100000, or --with-imports)")
            return {"skipped": "full scale only"}
        try:
            from . import imports as import_bench
        except ImportError:
            print("imports: see issue 13")
            return {"skipped": "bench/imports.py is not there yet (issue 13)"}
        self.say("imports (bench/imports.py)")
        argv = sys.argv
        try:
            sys.argv = [str(ROOT / "bench" / "imports.py")]
            db = f"{self.args.db_prefix}_{label(self.args.scale)}"
            return import_bench.main(["--db", db, "--scale", str(self.args.scale)]) or {}
        except Exception as exc:  # its failure is reported, the other figures stay
            print(f"imports: failed: {exc!r}")
            return {"failed": repr(exc)}
        finally:
            sys.argv = argv


def vacuum(db: str) -> None:
    conn = psycopg2.connect(database_url(db))
    conn.autocommit = True  # VACUUM cannot run in a transaction
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    try:
        with psycopg2.connect(database_url("postgres")) as conn, conn.cursor() as cur:
            cur.execute("SHOW server_version")
            postgres = cur.fetchone()[0].split()[0]
        conn.close()
    except psycopg2.Error:
        postgres = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10_000, help="customers (default 10,000; full scale 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure; the median is reported")
    parser.add_argument("--skip", type=lambda s: [x for x in s.split(",") if x], default=[],
                        help=f"comma-separated steps to leave out: {', '.join(STEPS)}")  # fmt: skip
    parser.add_argument("--wrk-seconds", type=int, help="seconds of each wrk run (default 10; 30 at full scale)")
    parser.add_argument(
        "--soak",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also a soak of this many seconds: every role and both webhooks at a steady rate",
    )
    parser.add_argument("--soak-rate", type=float, default=8.0, help="requests per second of the soak (default 8)")
    parser.add_argument("--growth", action="store_true", help="measure the build at 10k/30k/… (on at full scale)")
    parser.add_argument("--with-imports", action="store_true", help="run bench/imports.py below full scale too")
    parser.add_argument("--db-prefix", default=os.environ.get("BENCH_DB_PREFIX", "ceocalls_bench"))
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--fresh", action="store_true", help="regenerate the data set even if today's is there")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument("--readme", action="store_true", help="write the table into README.md's Benchmarks section")
    args = parser.parse_args(argv)
    unknown = set(args.skip) - set(STEPS)
    if unknown:
        parser.error(f"--skip: unknown step {', '.join(sorted(unknown))}; the steps are {', '.join(STEPS)}")
    if args.soak < 0 or args.soak_rate <= 0:
        parser.error("--soak takes seconds (0 leaves it out) and --soak-rate a positive number")
    if args.scale < 100:
        parser.error("--scale must be at least 100 customers")
    args.wrk_seconds = args.wrk_seconds or (30 if args.scale >= FULL_SCALE else 10)
    started = time.perf_counter()
    bench = Bench(args)
    results = bench.run()
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.perf_counter() - started, 1)
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(report.terminal(results))
    print(f"\nWritten to {path} in {results['seconds']:.0f} s.")
    if args.readme:
        report.write_readme(results, ROOT / "README.md")
        print("README.md: Benchmarks table updated.")
