"""/program/topics/: what customers are telling us, by topic, with quotes, promises and trend; CSV too.

For program admins and executives. Call notes count and are quoted only where the viewer may read
them (`notes_readable_by`): an executive's page leaves out other executives' private notes.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ceocalls.csvfiles import csv_writer
from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, role_required

from .. import charts
from ..forms.program import PRESETS, TopicPeriodForm
from ..selectors.topics import topics_report
from .program import _errors, _week_label


def csv_rows(report) -> list[list]:
    header = [
        "Topic",
        "Keywords",
        "Mentions",
        "Customers",
        "Mentions in the previous period",
        "Change",
        "Trend",
        "Tickets",
        "Survey comments",
        "Call notes",
        "Promises",
        "Open promises",
        "Latest survey comment",
        "Its customer",
        *[f"Week of {week.isoformat()}" for week in report.weeks],
    ]
    rows = [header]
    for row in report.rows:
        quote = row.latest_survey  # no CSV carries call notes (README, "Roles")
        rows.append(
            [
                row.topic.name,
                ", ".join(row.topic.keyword_list),
                row.mentions,
                row.customers,
                row.previous,
                row.change,
                row.trend,
                row.by_source["ticket"],
                row.by_source["survey"],
                row.by_source["note"],
                row.by_source["promise"],
                row.open_promises,
                quote.text if quote else "",
                quote.customer if quote else "",
                *row.weekly,
            ]
        )
    return rows


def _csv(report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="topics-{report.start}-to-{report.end}.csv"'
    csv_writer(response).writerows(csv_rows(report))
    return response


def _charts(report) -> tuple:
    labels = [_week_label(w) for w in report.weeks]
    mentioned = [r for r in report.rows if r.mentions]
    overview = None
    if mentioned:
        overview = charts.bar_chart(
            "Mentions per topic in these weeks",
            [r.topic.name for r in mentioned],
            [r.mentions for r in mentioned],
            x_label="mentions: tickets, survey comments, call notes and promises that name the topic",
            notes=[f"({r.customers} customer{'s' if r.customers != 1 else ''})" for r in mentioned],
        )
    for row in report.rows:
        row.chart = charts.mini_column_chart(f"{row.topic.name}: mentions per week", labels, row.weekly)
    return overview


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_GET
def topics_page(request):
    form = TopicPeriodForm(request.GET)
    wants_csv = request.GET.get("format") == "csv"
    errors = [] if form.is_valid() else _errors(form)
    if request.GET.get("format", "csv") not in ("", "csv"):
        errors.append(f"format: {request.GET['format'][:20]!r} is not a format; leave it out, or give csv.")
    if errors:
        if wants_csv:
            return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
        context = {"form": form, "errors": errors, "presets": PRESETS}
        return render(request, "program/topics.html", context, status=400)
    period = form.cleaned_data
    report = topics_report(start=period["start"], end=period["end"], user=request.user)
    if wants_csv:
        return _csv(report)
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "form": TopicPeriodForm(initial={"start": report.start, "end": report.end}),
        "report": report,
        "overview": _charts(report),
        "presets": PRESETS,
        "csv_query": query.urlencode(),
        "weeks": len(report.weeks),
    }
    return render(request, "program/topics.html", context)
