"""Where each page spends its time: pyinstrument over the pages the bench measures (a development tool).

    .venv/bin/pip install pyinstrument      # not in requirements.txt: the app never needs it
    DATABASE_URL=postgres://…/ceocalls_bench_100k SECRET_KEY=… python -m bench.profile_pages [--runs 5]

Each page runs in this process through Django's test client (production settings, HTTPS as the
proxy reports it), `--runs` times after one warm-up, under one profiler per page. The reports go
to bench/results/profiles/<page>.txt; a line per page (time, queries, SQL time, bytes) is printed.
"""

import argparse
import json
import os
import re
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "profiles"


def main(argv=None) -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="profile only pages whose path contains this")
    args = parser.parse_args(argv)
    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import Client
    from pyinstrument import Profiler

    from .sessions import pages_and_sessions

    setup = pages_and_sessions()
    OUT.mkdir(parents=True, exist_ok=True)
    for page in setup["pages"]:
        if args.only and args.only not in page["path"]:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        if page["as"]:
            client.cookies["sessionid"] = SessionStore(session_key=setup["cookies"][page["as"]]).session_key
        client.get(page["path"], secure=True)
        queries, sql = 0, 0.0

        def counted(execute, *a):
            nonlocal queries, sql
            started = time.perf_counter()
            try:
                return execute(*a)
            finally:
                queries += 1
                sql += time.perf_counter() - started

        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with connection.execute_wrapper(counted), profiler:
            for _ in range(args.runs):
                response = client.get(page["path"], secure=True)
                body = b"".join(response) if response.streaming else response.content
        wall = (time.perf_counter() - started) / args.runs * 1000
        name = re.sub(r"[^a-z0-9]+", "_", page["path"].lower()).strip("_") or "root"
        report = OUT / f"{name}_{page['as'] or 'anonymous'}.txt"
        report.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        print(json.dumps({"page": page["name"], "status": response.status_code, "ms": round(wall, 1),
                          "queries": queries // args.runs, "sql_ms": round(sql / args.runs * 1000, 1),
                          "bytes": len(body), "profile": str(report)}))  # fmt: skip


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    main()
