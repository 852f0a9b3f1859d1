"""The compiled ticket and survey row readers (imports.fastrows) gives exactly what the generic path gives:
the same record for a good row, the same problems (row, column, words) for a bad one."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.formats.surveys import SURVEYS_CSV
from imports.formats.tickets import TICKETS_CSV, ZENDESK_CSV
from imports.records import RecordInvalid

CSV_HEADER = [
    "external_id",
    "customer_external_id",
    "requester_email",
    "subject",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "solved_at",
    "escalated",
    "reopen_count",
    "tags",
]
ZENDESK_HEADER = [
    "Id",
    "Requester email",
    "Organization",
    "Subject",
    "Status",
    "Priority",
    "Created at",
    "Tags",
    "Satisfaction Score",
]

GOOD = [
    "T-1",
    "C-1",
    "ann@acme.com",
    "Cannot export",
    "open",
    "high",
    "2026-03-01T09:15:00Z",
    "2026-03-02T09:15:00+02:00",
    "",
    "false",
    "2",
    "billing export",
]

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "2026-03-01",
        "2026-03-01T09:15:00",
        "2026-03-01T09:15:00Z",
        "2026-02-30T09:15:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1900-01-01T00:30:00+01:00",
        "2999-12-31T23:30:00-01:00",
        "1709280000",
        "20260301",
        "٣",
        "1_0",
        "+3",
        "100001",
        "-1",
        "a\x00b",
        "a\tb",
        "a\nb",
        "\x1b[31m",
        "\ud800",
        "x" * 70,
        "x" * 600,
        "Ann@Acme.COM",
        "not-an-email",
        "a@b",
        "ann@acme.com",
        "ON-HOLD",
        "Normal",
        "solved",
        "TRUE",
        "yes",
        "maybe",
        "good with comment",
        "Billing, Export billing",
        " ".join(["t"] * 3),
        ",".join(f"t{i}" for i in range(201)),
        "y" * 101,
        "Café résumé",
        "\u00a0spaced\u00a0",
        "\u2028",
    ]
)


def _outcome(read, cells):
    try:
        record = read(cells)
    except RecordInvalid as exc:
        return ("invalid", exc.errors)
    return ("ok", {**vars(record), "match": vars(record.match)})  # MISSING stays itself


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(CSV_HEADER) - 1), HOSTILE), max_size=4), st.integers(0, 12))
def test_the_fast_csv_reader_matches_the_generic_one(changes, length):
    bound = TICKETS_CSV.bind(CSV_HEADER)
    cells = list(GOOD)
    for index, value in changes:
        cells[index] = value
    cells = cells[: max(length, 1)] if length < 12 else cells
    assert _outcome(TICKETS_CSV.row_reader(bound), cells) == _outcome(TICKETS_CSV.generic_reader(bound), cells)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(ZENDESK_HEADER) - 1), HOSTILE), max_size=4))
def test_the_fast_zendesk_reader_matches_the_generic_one(changes):
    bound = ZENDESK_CSV.bind(ZENDESK_HEADER)
    cells = ["1", "ann@acme.com", "Acme", "Help", "open", "", "2026-03-01T09:15:00Z", "vip", "good"]
    for index, value in changes:
        cells[index] = value
    assert _outcome(ZENDESK_CSV.row_reader(bound), cells) == _outcome(ZENDESK_CSV.generic_reader(bound), cells)


def test_a_row_the_fast_path_reads_is_the_generic_record():
    bound = TICKETS_CSV.bind(CSV_HEADER)
    ok, record = _outcome(TICKETS_CSV.row_reader(bound), GOOD)
    assert ok == "ok"
    assert record["updated_at"].isoformat() == "2026-03-02T07:15:00+00:00"
    assert record["tags"] == ["billing", "export"]


SURVEY_HEADER = ["external_id", "customer_external_id", "email", "kind", "score", "responded_at", "comment"]
SURVEY_GOOD = ["S-1", "C-1", "ann@acme.com", "nps", "9", "2026-10-11T08:00:00Z", "Exports are slow"]
SURVEY_HOSTILE = st.one_of(HOSTILE, st.sampled_from(["0", "10", "11", "5", "6", "csat", "CSAT", "NPS", "ces", "07"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SURVEY_HEADER) - 1), SURVEY_HOSTILE), max_size=4), st.integers(1, 7))
def test_the_fast_survey_reader_matches_the_generic_one(changes, length):
    bound = SURVEYS_CSV.bind(SURVEY_HEADER)
    cells = list(SURVEY_GOOD)
    for index, value in changes:
        cells[index] = value
    cells = cells[:length]
    assert _outcome(SURVEYS_CSV.row_reader(bound), cells) == _outcome(SURVEYS_CSV.generic_reader(bound), cells)
