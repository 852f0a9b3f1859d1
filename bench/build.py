"""One measurement of the weekly build, or of the hand-written query beside it, in a process of its own.

    python -m bench.build real|dry|sql [--week YYYY-MM-DD]

Prints one JSON line: seconds, queries, peak RSS of the process (MB) and, before the work, the RSS
of the process with Django loaded. A real build writes everything and is then rolled back, so
each run is the same first build of the week (the sheets of the cached data set stay as they were).
"""

import argparse
import json
import os
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

QUERY = Path(__file__).with_name("signals.sql")


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def backend_cpu(cursor) -> float | None:
    """CPU seconds the database server process of this connection has used so far (a local server
    only: /proc/<pid>/stat), so a measure on a busy machine can be read as work, not waiting."""
    cursor.execute("SELECT pg_backend_pid()")
    try:
        with open(f"/proc/{cursor.fetchone()[0]}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def next_week() -> date:
    from django.utils import timezone

    from callsheets.models import week_start_of

    return week_start_of(timezone.localdate()) + timedelta(days=7)


def query_params(week: date, now: datetime) -> dict:
    """The hand-written query's parameters, from the active policy, as the builder reads them."""
    from django.utils import timezone

    from callsheets.models import ScoringPolicy

    p = ScoringPolicy.objects.active()
    week_begins = datetime.combine(week, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return {
        "now": now,
        "today": timezone.localdate(now),
        "survey_since": now - timedelta(days=p.survey_window_days),
        "ticket_since": now - timedelta(days=p.ticket_window_days),
        "old_open": now - timedelta(days=p.open_ticket_days),
        "last_week": week - timedelta(days=7),
        "cooldown_since": max(now, week_begins) - timedelta(days=p.cooldown_days),
        "w_urgent_flag": p.weight_urgent_flag,
        "w_flag": p.weight_flag,
        "w_nps": p.weight_nps_detractor,
        "w_csat": p.weight_csat_low,
        "w_overdue": p.weight_overdue_commitment,
        "w_carried": p.weight_carried_over,
        "w_urgent_ticket": p.weight_urgent_ticket,
        "w_high_ticket": p.weight_high_ticket,
        "w_escalated": p.weight_escalated_ticket,
        "w_reopened": p.weight_reopened_ticket,
        "w_old_open": p.weight_old_open_ticket,
        "cap": p.ticket_points_cap,
        "m_strategic": p.tier_multiplier("strategic"),
        "m_enterprise": p.tier_multiplier("enterprise"),
        "m_mid_market": p.tier_multiplier("mid_market"),
        "m_smb": p.tier_multiplier("smb"),
        "revenue_weight": p.revenue_weight,
    }


def measure(mode: str, week: date) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from callsheets.builder import build_week

    now = timezone.now()
    params = query_params(week, now) if mode == "sql" else None
    before = rss_mb()
    counter = Counter()
    extra = {}
    with connection.cursor() as cursor:
        db_before = backend_cpu(cursor)
    with transaction.atomic():
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            if mode == "sql":
                with connection.cursor() as cursor:
                    cursor.execute(QUERY.read_text(), params)
                    rows = cursor.fetchall()
                extra = {"rows": len(rows), "placeable": sum(1 for r in rows if not r[3] and not r[4] and r[5])}
            else:
                result = build_week(week, dry_run=mode == "dry", now=now)
                extra = {
                    "entries": sum(len(s.entries) for s in result.sheets),
                    "sheets": len(result.sheets),
                    "skipped": len(result.skipped),
                }
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        with connection.cursor() as cursor:
            db_after = backend_cpu(cursor)
        transaction.set_rollback(True)  # each run is the same first build of the week
    db_cpu = round(db_after - db_before, 2) if db_before is not None and db_after is not None else None
    return {"mode": mode, "seconds": round(seconds, 4), "queries": counter.queries, "peak_mb": peak_mb(),
            "django_mb": before, "cpu_python_s": round(cpu, 2), "cpu_database_s": db_cpu, **extra}  # fmt: skip


def main(argv=None) -> None:
    import django

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["real", "dry", "sql", "profile"])
    parser.add_argument("--week", type=date.fromisoformat)
    parser.add_argument("--profile-out", help="profile mode: write pyinstrument's text report here")
    args = parser.parse_args(argv)
    django.setup()
    week = args.week or next_week()
    if args.mode == "profile":
        profile(week, args.profile_out)
        return
    print(json.dumps(measure(args.mode, week)))


def profile(week: date, out: str | None) -> None:
    """A real build under pyinstrument (a development tool: `pip install pyinstrument` into .venv)."""
    from django.db import transaction
    from pyinstrument import Profiler

    from callsheets.builder import build_week

    with transaction.atomic():
        with Profiler(interval=0.001) as profiler:
            build_week(week)
        transaction.set_rollback(True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    if out:
        Path(out).write_text(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    main()
