"""The benchmark's table: on the terminal, and as Markdown in README.md's Benchmarks section."""

import re
from pathlib import Path

README_START = "<!-- bench:start (written by `make bench SCALE=100000 BENCH_ARGS=--readme`) -->"
README_END = "<!-- bench:end -->"


def _ok(flag: bool | None) -> str:
    return "" if flag is None else ("met" if flag else "MISSED")


def _build(m: dict, noun: str) -> str:
    cpu = f"CPU {m['cpu_python_s']:.2f} s Python"
    if m.get("cpu_database_s") is not None:
        cpu += f" + {m['cpu_database_s']:.2f} s database"
    return f"{m['seconds']:.2f} s, {m['queries']} {noun}, {m['peak_mb']:.0f} MB; {cpu}"


def rows(results: dict) -> list[tuple[str, list]]:
    """Sections of (label, measured, beside it, target, met?) rows, shared by both renderings."""
    sections = []
    build = results.get("build")
    if build:
        sql, real, dry = build["sql"], build["real"], build.get("dry")
        section = [
            ("hand-written signal query (the limit)", _build(sql, "query"),
             f"{sql.get('rows', 0):,} customers with an alarm", "", None),
            ("real build (writes; rolled back after)", _build(real, "queries"),
             f"{real.get('times_query', 0):.1f}× the query", "≤ 2×, ≤ 150 MB",
             real.get("times_query", 99) <= 2 and real["peak_mb"] <= 150),
        ]  # fmt: skip
        if dry:
            section.append(("dry run", _build(dry, "queries"), f"{dry.get('times_query', 0):.1f}× the query", "", None))
        sections.append(("Weekly build, every executive (median of runs; peak RSS of the process)", section))
    pages = results.get("pages")
    if pages:
        base = next((p for p in pages if p["path"] == "/healthz"), None)
        section = []
        for p in pages:
            size = f"{p['bytes'] / 1024:,.0f} KB"
            measured = f"{p['median_ms']:,.1f} ms, {p['queries']} queries (SQL {p['sql_ms']:,.0f} ms), {size}"
            if p["status"] != 200:
                measured += f", HTTP {p['status']}"
            if p is base:
                section.append((p["page"], measured, "", "", None))
                continue
            times = f"{p['median_ms'] / base['median_ms']:,.0f}× /healthz" if base and base["median_ms"] else ""
            if "csv" in p["path"]:
                target, met = "≤ 1 s", p["median_ms"] <= 1000 and p["status"] == 200
            else:
                target = "≤ 50 ms, ≤ 15 queries, ≤ 150 KB"
                met = p["median_ms"] <= 50 and p["queries"] <= 15 and p["bytes"] <= 150 * 1024 and p["status"] == 200
            section.append((p["page"], measured, times, target, met))
        sections.append(("Pages over HTTP (gunicorn, 2 workers, production settings; median)", section))
    load = results.get("load")
    if isinstance(load, list) and load:
        base = load[0]
        section = []
        for r in load:
            measured = f"{r['requests_per_s']:,.0f} req/s, p99 {r['p99_ms']:,.0f} ms, {r['errors']} errors"
            if r is base:
                section.append((r["page"], measured, "", "", None))
            else:
                share = f"{100 * r['requests_per_s'] / base['requests_per_s']:.0f} % of /healthz"
                met = r["requests_per_s"] >= 100 and r["p99_ms"] <= 250 and r["errors"] == 0
                section.append((r["page"], measured, share, "≥ 100 req/s, p99 ≤ 250 ms", met))
        sections.append((f"Under load (wrk, {base['connections']} connections, {base['seconds']} s each)", section))
    hooks = results.get("webhooks")
    if hooks:
        applied = hooks.get("applied_per_s")
        section = [
            ("accepted (signed, stored before the 202)",
             f"{hooks['accepted_per_s']:,.0f}/s, {hooks['stored']:,} stored, {hooks['errors']} errors, p99 {hooks['p99_ms']:,.0f} ms",
             "", "≥ 500/s", hooks["accepted_per_s"] >= 500 and hooks["errors"] == 0),
            ("applied (Celery worker, 2 processes)",
             (f"{applied:,.0f}/s" if applied else "not measured") + f", {hooks.get('failed', 0)} failed",
             "", "≥ 500/s", bool(applied and applied >= 500)),
        ]  # fmt: skip
        sections.append(("Webhooks (tickets)", section))
    soak = results.get("soak")
    if soak:
        rss = soak["rss_mb"]
        grew = {k: rss["end"][k] - rss["start"][k] for k in rss["start"]}
        flat = all(grew[k] <= max(20.0, 0.1 * rss["start"][k]) for k in grew)
        section = [
            ("requests (pages of every role; signed webhooks)",
             f"{soak['requests']:,} in {soak['seconds']} s ({soak['achieved_per_s']:g}/s; {soak['webhooks']:,} webhooks), "
             f"{soak['errors']} errors, p50 {soak['p50_ms']} ms, p99 {soak['p99_ms']} ms",
             f"target rate {soak['rate_per_s']:g}/s", "0 errors", soak["errors"] == 0),
            ("memory (RSS after the warm-up → at the end)",
             f"gunicorn {rss['start']['gunicorn']:.0f} → {rss['end']['gunicorn']:.0f} MB, "
             f"worker {rss['start']['worker']:.0f} → {rss['end']['worker']:.0f} MB",
             "", "flat (≤ 10 % or 20 MB)", flat),
            ("webhook events",
             f"{soak['events_stored']:,} stored, {soak['events_applied']:,} applied, {soak['events_failed']} failed, "
             f"{soak['events_pending']} pending",
             "", "every event applied",
             soak["events_applied"] == soak["events_stored"] == soak["webhooks"] and not soak["events_pending"]),
        ]  # fmt: skip
        sections.append((f"Soak ({soak['seconds']} s, gunicorn 2 workers, Celery worker 2 processes)", section))
    growth = results.get("growth")
    if growth:
        first = growth[0]
        section = []
        for g in growth:
            data = g["customers"] / first["customers"]
            grew = g["real_s"] / first["real_s"] if first["real_s"] else 0
            section.append(
                (f"{g['customers']:,} customers, {g['tickets']:,} tickets",
                 f"build {g['real_s']:.2f} s, {g['real_queries']} queries, {g['real_peak_mb']:.0f} MB",
                 f"query {g['query_s']:.2f} s; data ×{data:.0f}, build ×{grew:.1f}",
                 "build grows no faster than data", grew <= data * 1.1 if g is not first else None)
            )  # fmt: skip
        sections.append(("Growth of the real build", section))
    imports = results.get("imports")
    if imports:
        if any(k in imports for k in ("skipped", "failed")):
            section = [("imports", imports.get("skipped") or imports.get("failed"), "", "", None)]
        else:
            section = []
            for entity, r in imports.items():
                first, again = r["first"], r["again"]
                section += [
                    (f"import_{entity}, first ({r['rows']:,} rows)",
                     f"{first['seconds']:.1f} s, {r['first_rows_per_s']:,} rows/s, {first['peak_mb']} MB",
                     f"COPY {r['copy_s']:.2f} s; {r['first_x_copy']}× COPY", "≥ 25,000 rows/s, ≤ 10× COPY, ≤ 200 MB",
                     r["first_rows_per_s"] >= 25_000 and r["first_x_copy"] <= 10 and first["peak_mb"] <= 200),
                    (f"import_{entity}, unchanged again",
                     f"{again['seconds']:.1f} s, {r['again_rows_per_s']:,} rows/s, {again['peak_mb']} MB",
                     f"{again['unchanged']:,} unchanged", "≥ 50,000 rows/s, ≤ 200 MB",
                     r["again_rows_per_s"] >= 50_000 and again["peak_mb"] <= 200),
                ]  # fmt: skip
        sections.append(("Imports (bench/imports.py; a process each, DEBUG off; peak RSS)", section))
    return sections


def header(results: dict) -> str:
    m = results["machine"]
    d = results.get("dataset", {}).get("counts", {})
    return (
        f"CEO Calls benchmarks, {results['date'][:16].replace('T', ' ')} UTC: {results['scale']:,} customers, "
        f"{d.get('contacts', 0):,} contacts, {d.get('tickets', 0):,} tickets, {d.get('surveys', 0):,} survey answers, "
        f"{d.get('open_flags', 0):,} open flags, {d.get('executives', 0)} executives, {d.get('calls', 0):,} calls, "
        f"{d.get('commitments', 0):,} commitments.\n"
        f"Machine: {m['cpu'] or 'unknown CPU'}, {m['cores']} cores, {m['memory_gb']} GB, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}; load average {m['load_average_at_start'][0]} at the start, "
        f"{m.get('load_average_at_end', ['?'])[0]} at the end."
    )


def terminal(results: dict) -> str:
    lines = [header(results)]
    for title, section in rows(results):
        lines += ["", title]
        for label, measured, beside, target, met in section:
            lines.append(f"  {label:<42} {measured:<62} {beside:<32} {target:<34} {_ok(met)}".rstrip())
    return "\n".join(lines)


def markdown(results: dict) -> str:
    lines = [header(results).replace("\n", "  \n"), ""]
    lines += ["| measure | result | beside it | target | |", "| --- | --- | --- | --- | --- |"]
    for title, section in rows(results):
        lines.append(f"| **{title}** | | | | |")
        for label, measured, beside, target, met in section:
            lines.append(f"| {label} | {measured} | {beside} | {target} | {_ok(met)} |")
    return "\n".join(lines)


def write_readme(results: dict, path: Path) -> None:
    text = path.read_text()
    block = f"{README_START}\n{markdown(results)}\n{README_END}"
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no {README_START!r} … {README_END!r} block to replace")
    path.write_text(pattern.sub(lambda _: block, text))
