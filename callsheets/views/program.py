"""/program/: is the program working? Numbers, charts, their tables and CSV, for program admins."""

from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ceocalls.csvfiles import csv_writer
from ceocalls.roles import PROGRAM_ADMINS, role_required

from .. import charts
from ..forms.program import PRESETS, BuildForm, PeriodForm
from ..models import week_start_of
from ..selectors.metrics import CALLED, NOT_CALLED, program_metrics
from ..selectors.speed import speed_for_weeks
from .program_admin import builds_context


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list]


def _pct(value):
    return None if value is None else round(value)


def _num(value):
    return None if value is None else round(value, 1)


def _week_label(week):
    return f"{week.day} {week:%b}"


def _speed_table(speed) -> Table:
    return Table(
        "speed",
        "From alarm to call, per urgency (hours)",
        [
            "Urgency",
            "Alarms (flags raised)",
            "Called",
            "Reached",
            "To first call: median, calendar h",
            "To first call: 90th pct, calendar h",
            "To first call: median, business h",
            "To first call: 90th pct, business h",
            "To reached: median, calendar h",
            "To reached: 90th pct, calendar h",
            "To reached: median, business h",
            "To reached: 90th pct, business h",
            "Reached in the window",
            "Missed the window",
            "Window still running",
        ],
        [
            [
                r.label,
                r.alarms,
                r.attempted,
                r.reached,
                r.attempt_calendar.median,
                r.attempt_calendar.p90,
                r.attempt_business.median,
                r.attempt_business.p90,
                r.reached_calendar.median,
                r.reached_calendar.p90,
                r.reached_business.median,
                r.reached_business.p90,
                r.window_met if r.urgency == "urgent" else None,
                r.window_missed if r.urgency == "urgent" else None,
                r.window_running if r.urgency == "urgent" else None,
            ]
            for r in speed.rows
        ],
    )


def _tables(m) -> dict[str, Table]:
    weeks = [(w, m.by_week[w]) for w in m.weeks]
    execs = sorted(
        m.by_executive.items(), key=lambda item: m.executives[item[0]].name if item[0] in m.executives else ""
    )
    return {
        "calls": Table(
            "calls",
            "Calls per week",
            ["Week of", "Planned", "Made", "Reached", "Completion %", "Reached %"],
            [[w, b.planned, b.made, b.reached, _pct(b.completion_rate), _pct(b.reach_rate)] for w, b in weeks],
        ),
        "flags": Table(
            "flags",
            "Flags per week",
            ["Week raised", "Flags raised", "Called", "Median days flag → call"],
            [[w, b.flags_raised, b.flags_called, _num(b.flag_median_days)] for w, b in weeks],
        ),
        "commitments": Table(
            "commitments",
            "Commitments per week made",
            [
                "Week made",
                "Made",
                "Kept",
                "Kept on time",
                "Kept late",
                "Now overdue",
                "Dropped",
                "Open, not yet due",
                "Kept %",
                "Median days to keep",
            ],
            [
                [
                    w,
                    b.promises,
                    b.kept,
                    b.kept_on_time,
                    b.kept_late,
                    b.overdue,
                    b.dropped,
                    b.open_not_due,
                    _pct(b.kept_rate),
                    _num(b.median_days_to_keep),
                ]
                for w, b in weeks
            ],
        ),
        "executives": Table(
            "executives",
            "Per executive",
            [
                "Executive",
                "Planned",
                "Made",
                "Reached",
                "Completion %",
                "Flags answered",
                "Median days flag → call",
                "Promises",
                "Kept",
                "Kept on time",
                "Now overdue",
                "Dropped",
                "Promises kept %",
                "Median days to keep",
            ],
            [
                [
                    m.executives[e].name if e in m.executives else f"#{e}",
                    b.planned,
                    b.made,
                    b.reached,
                    _pct(b.completion_rate),
                    b.flags_called,
                    _num(b.flag_median_days),
                    b.promises,
                    b.kept,
                    b.kept_on_time,
                    b.overdue,
                    b.dropped,
                    _pct(b.kept_rate),
                    _num(b.median_days_to_keep),
                ]
                for e, b in execs
            ],
        ),
        "effect": Table(
            "effect",
            "Survey score after the call against before it",
            [
                "Group",
                "Survey",
                "Customers",
                "Average before",
                "Average after",
                "Average change",
                "Median change",
                "Improved",
                "Worsened",
            ],
            [
                [
                    r.group,
                    r.kind,
                    r.customers,
                    _num(r.before),
                    _num(r.after),
                    _num(r.change),
                    _num(r.median_change),
                    r.improved,
                    r.worsened,
                ]
                for r in m.effect
            ],
        ),
    }


def _charts(m, tables) -> dict:
    labels = [_week_label(w) for w in m.weeks]
    weeks = [m.by_week[w] for w in m.weeks]
    execs = tables["executives"].rows
    per_exec = sorted(
        m.by_executive.items(), key=lambda item: m.executives[item[0]].name if item[0] in m.executives else ""
    )
    effect = [r for r in m.effect if r.kind == "NPS"] + [r for r in m.effect if r.kind == "CSAT"]
    return {
        "calls": charts.column_chart(
            "Calls per week: planned, made, reached",
            labels,
            [
                charts.Series("Planned", [b.planned for b in weeks], charts.GREY),
                charts.Series("Made", [b.made for b in weeks], charts.BLUE),
                charts.Series("Reached", [b.reached for b in weeks], charts.GREEN),
            ],
            y_label="calls (customers)",
            counts=True,
            x_label="week beginning (Monday)",
        ),
        "flags": charts.column_chart(
            "Flags raised by support leads, and how many were called",
            labels,
            [
                charts.Series("Raised", [b.flags_raised for b in weeks], charts.ORANGE),
                charts.Series("Called", [b.flags_called for b in weeks], charts.BLUE),
            ],
            y_label="flags",
            counts=True,
            x_label="week the flag was raised",
        ),
        "commitments": charts.column_chart(
            "Promises made each week, and what became of them",
            labels,
            [
                charts.Series("Kept on time", [b.kept_on_time for b in weeks], charts.GREEN),
                charts.Series("Kept late", [b.kept_late for b in weeks], charts.SKY),
                charts.Series("Open, not yet due", [b.open_not_due for b in weeks], charts.GREY),
                charts.Series("Now overdue", [b.overdue for b in weeks], charts.VERMILLION),
                charts.Series("Dropped", [b.dropped for b in weeks], charts.PURPLE),
            ],
            y_label="commitments",
            counts=True,
            x_label="week the promise was made",
            stacked=True,
        ),
        "kept_rate": charts.bar_chart(
            "Promises kept, per executive",
            [row[0] for row in execs],
            [b.kept_rate for _, b in per_exec],
            x_label="% of promises due or closed that were kept",
            unit="%",
            x_max=100,
            color=charts.GREEN,
            notes=[f"of {b.decided}" for _, b in per_exec],
        ),
        "completion": charts.bar_chart(
            "Call completion, per executive",
            [row[0] for row in execs],
            [b.completion_rate for _, b in per_exec],
            x_label="% of planned calls made",
            unit="%",
            x_max=100,
            notes=[f"{b.made} of {b.planned}" for _, b in per_exec],
        ),
        "effect": charts.bar_chart(
            "Change in survey score: called customers against those not called",
            [f"{r.kind}, {'called' if r.group == CALLED else 'not called'}" for r in effect],
            [r.change for r in effect],
            x_label="average change in score, next survey after the call minus the last before it (points)",
            color=charts.BLUE,
            notes=[f"({r.customers} customer{'s' if r.customers != 1 else ''})" for r in effect],
        ),
    }


def _csv(table: Table, m) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="program-{table.key}-{m.start}-to-{m.end}.csv"'
    writer = csv_writer(response)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return response


@role_required(PROGRAM_ADMINS)
@require_GET
def program_page(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        if request.GET.get("format") == "csv":
            return HttpResponse("\n".join(_errors(form)), status=400, content_type="text/plain")
        return render(
            request, "program/program.html", _admin_context(request, form=form, errors=_errors(form)), status=400
        )
    period = form.cleaned_data
    executive = period.get("executive")
    metrics = program_metrics(
        start=period["start"], end=period["end"], executive_id=executive.pk if executive else None
    )
    tables = _tables(metrics)
    speed = speed_for_weeks(metrics.start, metrics.end, executive_id=executive.pk if executive else None)
    tables["speed"] = _speed_table(speed)
    if request.GET.get("format") == "csv":
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            return HttpResponse(f"table: choose one of {', '.join(tables)}.", status=400, content_type="text/plain")
        return _csv(table, metrics)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    shown = PeriodForm(initial={"start": metrics.start, "end": metrics.end, "executive": executive})
    context = _admin_context(
        request,
        form=shown,
        m=metrics,
        tables=tables,
        charts=_charts(metrics, tables),
        query=query.urlencode(),
        headline=_headline(metrics),
        speed=speed,
        executive=executive,
        called_label=CALLED,
        not_called_label=NOT_CALLED,
        population_called=metrics.effect_population[CALLED],
        population_not_called=metrics.effect_population[NOT_CALLED],
        effect_caption="Bars further right mean scores rose more after the call. NPS runs 0–10, CSAT 1–5, so the"
        " two are never mixed. Each bar gives the number of customers it rests on.",
    )
    return render(request, "program/program.html", context)


def _errors(form) -> list[str]:
    return [str(e) for errors in form.errors.values() for e in errors]


def _headline(m) -> dict:
    nps = {r.group: r for r in m.effect if r.kind == "NPS"}
    called, not_called = nps.get(CALLED), nps.get(NOT_CALLED)
    return {
        "completion": _pct(m.total.completion_rate),
        "kept": _pct(m.total.kept_rate),
        "on_time": _pct(m.total.on_time_rate),
        "flag_days": _num(m.total.flag_median_days),
        "nps_called": called,
        "nps_not_called": not_called,
    }


def _admin_context(request, **context):
    this_week = week_start_of(timezone.localdate())
    context.setdefault("presets", PRESETS)
    context["this_week"] = this_week
    context["build_form"] = BuildForm(
        initial={"week": this_week + timedelta(weeks=1), "next": request.get_full_path()}, auto_id="build_%s"
    )
    context.update(builds_context(request))
    return context
