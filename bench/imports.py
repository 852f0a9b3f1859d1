"""Imports beside COPY (issue 13): tickets, surveys and customers files of the documented CSV
formats, imported into a bench data set, first import and unchanged re-import, with peak memory.

    python -m bench.imports --db ceocalls_bench_100k --scale 100000 [--only tickets,surveys]

Each file is written from the data set's own customers and contacts (10 tickets and 1 survey
response per customer; a customers file of one row per existing contact, as new customers).
Every import runs in a process of its own with production settings (DEBUG off) through the
import service the commands call, and reports its wall time and peak resident memory; beside
it, PostgreSQL's COPY of the same file into a bare table of text columns, in the same run. The
rows the bench added are deleted afterwards.
"""

import argparse
import csv
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "BENCH-"


def database_url(name: str) -> str:
    from .run import database_url as url

    return url(name)


def write_files(cur, folder: Path, scale: int, only: list[str]) -> dict[str, tuple[Path, int]]:
    cur.execute(
        "SELECT c.external_id, min(k.email) FROM customers_customer c "
        "LEFT JOIN customers_contact k ON k.customer_id = c.id AND k.email <> '' GROUP BY c.id ORDER BY c.id"
    )
    customers = cur.fetchall()[:scale]
    files = {}
    if "tickets" in only:
        path = folder / "tickets.csv"
        with path.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["external_id", "customer_external_id", "requester_email", "subject", "status", "priority",
                        "created_at", "updated_at", "solved_at", "escalated", "reopen_count", "tags"])  # fmt: skip
            n = 0
            for i in range(10):
                for ext, email in customers:
                    n += 1
                    solved = i % 3 == 0
                    w.writerow([f"{PREFIX}{n}", ext, email or "", f"Cannot export the report, case {n}",
                                "solved" if solved else "open", ("low", "normal", "high", "urgent")[n % 4],
                                f"2026-0{1 + i % 9}-1{n % 10}T09:{n % 60:02d}:00Z",
                                f"2026-0{1 + i % 9}-2{n % 9}T10:00:00Z",
                                f"2026-0{1 + i % 9}-2{n % 9}T10:00:00Z" if solved else "",
                                "true" if n % 17 == 0 else "false", n % 3, "billing export"])  # fmt: skip
        files["tickets"] = (path, n)
    if "surveys" in only:
        path = folder / "surveys.csv"
        with path.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["external_id", "customer_external_id", "email", "kind", "score", "responded_at", "comment"])
            for n, (ext, email) in enumerate(customers, 1):
                w.writerow([f"{PREFIX}{n}", ext, email or "", "nps", n % 11, f"2026-10-1{n % 10}T08:00:00Z",
                            "Exports are slow" if n % 4 == 0 else ""])  # fmt: skip
        files["surveys"] = (path, len(customers))
    if "customers" in only:
        path = folder / "customers.csv"
        cur.execute(
            "SELECT c.external_id, c.name, c.domain, c.tier, c.timezone, k.name, k.email, k.title "
            "FROM customers_customer c JOIN customers_contact k ON k.customer_id = c.id ORDER BY c.id, k.id"
        )
        with path.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["external_id", "name", "domain", "tier", "timezone", "contact_name", "contact_email",
                        "contact_title"])  # fmt: skip
            count = 0
            for row in cur:  # new customers (a prefix on the id) with the data set's shape
                w.writerow([PREFIX + row[0], *row[1:]])
                count += 1
        files["customers"] = (path, count)
    return files


def copy_seconds(db: str, path: Path) -> float:
    """COPY of the file into a bare UNLOGGED table of text columns (the database's own pace)."""
    with path.open() as f:
        header = next(csv.reader(f))
    conn = psycopg2.connect(database_url(db))
    try:
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_copy_bare")
            cur.execute(
                f"CREATE UNLOGGED TABLE bench_copy_bare ({', '.join(f'c{i} text' for i in range(len(header)))})"
            )
            conn.commit()
            started = time.perf_counter()
            with path.open() as f:
                cur.copy_expert("COPY bench_copy_bare FROM STDIN WITH (FORMAT csv, HEADER true)", f)
            conn.commit()
            seconds = time.perf_counter() - started
            cur.execute("DROP TABLE bench_copy_bare")
            conn.commit()
    finally:
        conn.close()
    return seconds


def run_import(db: str, entity: str, path: Path) -> dict:
    from .server import production_env

    env = production_env(database_url(db), secrets.token_urlsafe(50), None)
    out = subprocess.run(
        [sys.executable, "-m", "bench.imports", "--child", entity, str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"import_{entity} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(entity: str, path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    django.setup()
    from imports import services

    service = getattr(services, f"{entity}_import")
    kwargs = {} if entity == "customers" else {"file_format": "csv"}
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as stream:
        result = service(stream=stream, name=Path(path).name, **kwargs)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_mb), "rows": result.rows,
                      "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                      "errors": result.error_count, "summary": result.summary()}))  # fmt: skip


def cleanup(db: str) -> None:
    conn = psycopg2.connect(database_url(db))
    with conn, conn.cursor() as cur:
        like = PREFIX + "%"
        cur.execute(
            "DELETE FROM customers_flag WHERE ticket_id IN "
            "(SELECT id FROM customers_supportticket WHERE source = 'csv' AND external_id LIKE %s)",
            [like],
        )
        cur.execute("DELETE FROM customers_supportticket WHERE source = 'csv' AND external_id LIKE %s", [like])
        cur.execute("DELETE FROM customers_surveyresponse WHERE source = 'csv' AND external_id LIKE %s", [like])
        cur.execute(
            "DELETE FROM customers_contact WHERE customer_id IN "
            "(SELECT id FROM customers_customer WHERE external_id LIKE %s)",
            [like],
        )
        cur.execute("DELETE FROM customers_customer WHERE external_id LIKE %s", [like])
    conn.close()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=os.environ.get("BENCH_IMPORTS_DB", "ceocalls_bench_100k"))
    parser.add_argument("--scale", type=int, default=100_000, help="customers the files name (10 tickets each)")
    parser.add_argument("--only", default="tickets,surveys,customers")
    parser.add_argument("--child", nargs=2, metavar=("ENTITY", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return {}
    only = [x for x in args.only.split(",") if x]
    results = {}
    with tempfile.TemporaryDirectory(prefix="ceocalls-bench-imports-") as folder:
        conn = psycopg2.connect(database_url(args.db))
        with conn.cursor() as cur:
            files = write_files(cur, Path(folder), args.scale, only)
        conn.close()
        try:
            for entity, (path, rows) in files.items():
                copy = copy_seconds(args.db, path)
                first = run_import(args.db, entity, path)
                again = run_import(args.db, entity, path)
                results[entity] = {
                    "rows": rows,
                    "mb": round(path.stat().st_size / 1e6, 1),
                    "copy_s": round(copy, 2),
                    "first": first,
                    "again": again,
                    "first_rows_per_s": round(rows / first["seconds"]),
                    "again_rows_per_s": round(rows / again["seconds"]),
                    "first_x_copy": round(first["seconds"] / copy, 1),
                }
                r = results[entity]
                print(
                    f"import_{entity}: {rows:,} rows ({r['mb']} MB); COPY {copy:.2f} s; "
                    f"first {first['seconds']:.1f} s = {r['first_rows_per_s']:,} rows/s ({r['first_x_copy']}× COPY, "
                    f"Python CPU {first['cpu_s']} s, peak {first['peak_mb']} MB; {first['summary']}); "
                    f"re-import {again['seconds']:.1f} s = {r['again_rows_per_s']:,} rows/s "
                    f"(Python CPU {again['cpu_s']} s, peak {again['peak_mb']} MB; {again['summary']})",
                    flush=True,
                )
        finally:
            cleanup(args.db)
    return results


if __name__ == "__main__":
    main()
