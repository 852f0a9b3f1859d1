"""A company-sized data set written with COPY, in the shape real support data has.

    DATABASE_URL=postgres://…/ceocalls_bench_100k python -m bench.dataset --scale 100000 [--seed 15]

The database must be migrated and empty of business data (the harness creates it fresh). Per
100,000 customers: about 200,000 contacts, 1,000,000 tickets over two years (a few accounts with
thousands), 300,000 survey answers, 2,000 open flags (1 % urgent) and a history of closed ones,
50,000 past calls (those of up to two years of weekly sheets, the rest logged off the sheets) and
20,000 commitments. 25 executives with slots in many zones, 8 support leads, 2 program admins and
5 colleagues who own commitments, at every scale. Every constraint holds: the rows go through
PostgreSQL's own checks, unique indexes and foreign keys.

The last line printed is a JSON summary (counts, the customer with the longest history, a search word).
"""

import argparse
import itertools
import json
import random
import secrets
import sys
import time as clock
import unicodedata
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from .copyrows import Ids
from .history import DAY, HISTORY_DAYS, ProgramHistory

VERSION = 3  # bump when the shape changes: the harness regenerates cached databases
EXECUTIVES = 25
CHUNK = 50_000  # rows drawn at a time

# time zone, phone pattern (# is a random digit), weight among customers
ZONES = [
    ("America/New_York", "+1 212 555 01##", 16),
    ("America/Chicago", "+1 312 555 01##", 12),
    ("America/Denver", "+1 303 555 01##", 5),
    ("America/Los_Angeles", "+1 415 555 01##", 12),
    ("America/Toronto", "+1 416 555 01##", 3),
    ("America/Sao_Paulo", "+55 11 5555 ####", 3),
    ("America/Mexico_City", "+52 55 5555 ####", 2),
    ("Europe/London", "+44 20 7946 0###", 12),
    ("Europe/Berlin", "+49 30 9012 ####", 9),
    ("Europe/Oslo", "+47 22 60 ## ##", 3),
    ("Europe/Paris", "+33 1 70 18 ## ##", 7),
    ("Europe/Madrid", "+34 91 555 ## ##", 3),
    ("Asia/Kolkata", "+91 22 5555 ####", 3),
    ("Asia/Singapore", "+65 6550 ####", 4),
    ("Asia/Tokyo", "+81 3 4550 ####", 3),
    ("Australia/Sydney", "+61 2 9123 ####", 4),
    ("Pacific/Auckland", "+64 9 555 ####", 1),
    ("Africa/Johannesburg", "+27 11 555 ####", 1),
]
EXECUTIVE_ZONES = [
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
    "Europe/London", "Europe/Berlin", "Europe/Oslo", "Europe/Paris", "Europe/Madrid", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "Africa/Johannesburg",
]  # fmt: skip
# tier, share, revenue range, ticket weight, survey weight, contacts (low, high)
TIERS = [
    ("strategic", 0.05, (2_000_000, 12_000_000), 50, 8, (4, 6)),
    ("enterprise", 0.15, (500_000, 2_000_000), 20, 5, (3, 4)),
    ("mid_market", 0.35, (80_000, 500_000), 8, 3, (2, 2)),
    ("smb", 0.45, (8_000, 80_000), 4, 2, (1, 2)),
]


def shape(customers: int) -> dict:
    """The row counts at a scale: everything proportional to the customers but the people."""
    return {
        "customers": customers,
        "tickets": 10 * customers,
        "surveys": 3 * customers,
        "open_flags": max(2, customers // 50),
        "calls": max(100, customers // 2),
        "commitments": max(40, customers // 5),
        "executives": EXECUTIVES,
    }


def ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def ascii_slug(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode().replace("'", "")


class Generator(ProgramHistory):
    def __init__(self, cursor, scale: int, seed: int, now: datetime):
        from callsheets.demo import text

        self.cursor, self.now, self.text = cursor, now, text
        self.promises = sorted({p for script in text.CALL_SCRIPTS for p in script.promises})
        self.now_ts = now.timestamp()
        self.rng = random.Random(seed)
        self.size = shape(scale)
        self.counts: dict[str, int] = {}
        self.meta: dict = {}

    def tier_of(self, i: int) -> str:
        return TIERS[self.cust[i][1]][0]

    def writer(self, model, columns):
        from .copyrows import CopyWriter

        return CopyWriter(self.cursor, model, columns, self.now)

    def run(self) -> dict:
        steps = [
            self.people, self.customers, self.contacts, self.tickets, self.surveys,
            self.history, self.commitments, self.open_flags,
        ]  # fmt: skip
        for step in steps:
            started = clock.perf_counter()
            step()
            print(f"  {step.__name__}: {clock.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        return {"counts": self.counts, **self.meta}

    # --- people -----------------------------------------------------------------------------
    def people(self) -> None:
        from django.contrib.auth.models import Group, User

        from callsheets.models import Executive
        from ceocalls.roles import EXECUTIVES as EXEC_GROUP
        from ceocalls.roles import PROGRAM_ADMINS, SUPPORT_LEADS

        t = self.text
        groups = dict(Group.objects.values_list("name", "id"))
        ids = Ids(self.cursor, User._meta.db_table)
        people = (
            [("executive", EXEC_GROUP)] * EXECUTIVES
            + [("lead", SUPPORT_LEADS)] * 8
            + [("admin", PROGRAM_ADMINS)] * 2
            + [("colleague", None)] * 5
        )
        self.users = {"executive": [], "lead": [], "admin": [], "colleague": []}
        memberships = []
        columns = ["id", "password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
                   "is_active", "date_joined", "last_login"]  # fmt: skip
        joined = self.now - timedelta(days=HISTORY_DAYS + 30)
        with self.writer(User, columns) as w:
            for n, (kind, group) in enumerate(people):
                first, last = t.FIRST_NAMES[n % len(t.FIRST_NAMES)], t.LAST_NAMES[(n * 7) % len(t.LAST_NAMES)]
                email = f"{ascii_slug(first)}.{ascii_slug(last)}.{kind}{n}@bench.example".replace(" ", "")
                uid = ids.next()
                w.row((uid, "!" + secrets.token_hex(20), False, email, first, last, email, kind == "admin", True,
                       joined, None))  # fmt: skip
                self.users[kind].append(uid)
                if group:
                    memberships.append((uid, groups[group]))
        membership_model = User.groups.through
        gids = Ids(self.cursor, membership_model._meta.db_table)
        with self.writer(membership_model, ["id", "user_id", "group_id"]) as w:
            for uid, gid in memberships:
                w.row((gids.next(), uid, gid))

        eids = Ids(self.cursor, Executive._meta.db_table)
        self.executives = []  # (id, user id, zone, weekday, start, minutes per call)
        columns = ["id", "user_id", "title", "weekday", "start_time", "duration_minutes", "timezone",
                   "minutes_per_call", "is_active", "calendar_token"]  # fmt: skip
        titles = ["CEO", "COO", "CFO", "CRO", "CTO", "Chief Customer Officer", "VP Sales", "VP Support"]
        with self.writer(Executive, columns) as w:
            for n, uid in enumerate(self.users["executive"]):
                zone = EXECUTIVE_ZONES[n % len(EXECUTIVE_ZONES)]
                weekday, start = n % 5, time(9 + (n * 3) % 6, 0 if n % 2 else 30)
                per_call = 20 if n % 5 == 4 else 15
                w.row((eids.next(), uid, titles[n % len(titles)], weekday, start, 60, zone, per_call, True,
                       secrets.token_urlsafe(24)))  # fmt: skip
                self.executives.append((eids.last, uid, zone, weekday, start, per_call))
        self.counts["users"] = len(people)
        self.counts["executives"] = len(self.executives)

    # --- customers and contacts ------------------------------------------------------------
    def customers(self) -> None:
        from customers.models import Customer

        rng, t, n = self.rng, self.text, self.size["customers"]
        names = [f"{a} {b}" for a in t.NAME_PARTS for b in t.NAME_KINDS]
        rng.shuffle(names)
        zones, weights = [z[0] for z in ZONES], [z[2] for z in ZONES]
        ids = Ids(self.cursor, Customer._meta.db_table)
        self.cust = []  # per customer: [id, tier index, zone, lifecycle, mood]
        columns = ["id", "external_id", "name", "domain", "annual_revenue", "tier", "timezone", "lifecycle_status",
                   "created_at", "updated_at"]  # fmt: skip
        with self.writer(Customer, columns) as w:
            for i in range(n):
                name = names[i % len(names)] + (f" {i // len(names) + 1}" if i >= len(names) else "")
                roll, tier_index = rng.random(), len(TIERS) - 1
                for k, tier in enumerate(TIERS):
                    roll -= tier[1]
                    if roll < 0:
                        tier_index = k
                        break
                tier, _, (low, high), *_ = TIERS[tier_index]
                zone = rng.choices(zones, weights)[0]
                lifecycle = rng.choices(["active", "at_risk", "onboarding", "churned"], [82, 8, 6, 4])[0]
                mood = (
                    "angry" if lifecycle == "at_risk" else rng.choices(["angry", "neutral", "happy"], [13, 60, 27])[0]
                )
                created = self.now - timedelta(days=rng.uniform(30, HISTORY_DAYS + 400))
                cid = ids.next()
                w.row((cid, f"C{i + 1:07d}", name, ascii_slug(name).replace(" ", "") + ".com",
                       Decimal(round(rng.uniform(low, high), -3)), tier, zone, lifecycle, created, created))  # fmt: skip
                self.cust.append([cid, tier_index, zone, lifecycle, mood])
        self.counts["customers"] = n
        self.meta["search_word"] = t.NAME_PARTS[0]

    def contacts(self) -> None:
        from customers.models import Contact

        rng, t = self.rng, self.text
        phones = {z[0]: z[1] for z in ZONES}
        ids = Ids(self.cursor, Contact._meta.db_table)
        self.contacts_of: list[list[int]] = []
        self.callable_of: list[list[int]] = []
        columns = ["id", "customer_id", "name", "title", "email", "phone", "phone_e164", "timezone", "is_primary",
                   "do_not_call", "created_at", "updated_at"]  # fmt: skip
        with self.writer(Contact, columns) as w:
            for cid, tier_index, zone, _, _ in self.cust:
                low, high = TIERS[tier_index][5]
                no_phone = rng.random() < 0.03
                mine, reachable = [], []
                for k in range(rng.randint(low, high)):
                    first, last = rng.choice(t.FIRST_NAMES), rng.choice(t.LAST_NAMES)
                    email = f"{ascii_slug(first)}.{ascii_slug(last)}{k}@c{cid}.example".replace(" ", "")
                    pattern = phones[zone]
                    phone = "" if no_phone else "".join(str(rng.randint(0, 9)) if ch == "#" else ch for ch in pattern)
                    dnc = k > 0 and rng.random() < 0.05
                    own_zone = rng.choice(EXECUTIVE_ZONES) if rng.random() < 0.08 else ""
                    contact_id = ids.next()
                    w.row((contact_id, cid, f"{first} {last}", t.CONTACT_TITLES[(k + cid) % len(t.CONTACT_TITLES)],
                           email, phone, _e164(phone), own_zone, k == 0, dnc, self.now, self.now))  # fmt: skip
                    mine.append(contact_id)
                    if phone and not dnc:
                        reachable.append(contact_id)
                self.contacts_of.append(mine)
                self.callable_of.append(reachable)
        self.counts["contacts"] = ids.last
        self.callable_idx = [
            i for i, c in enumerate(self.cust) if c[3] != "churned" and self.callable_of[i]
        ]  # indexes of customers the builder may call

    # --- tickets and surveys ---------------------------------------------------------------
    def tickets(self) -> None:
        from customers.models import SupportTicket

        rng, t, n = self.rng, self.text, len(self.cust)
        weights = []
        for _, tier_index, _, _, mood in self.cust:
            w = TIERS[tier_index][3] * rng.lognormvariate(0, 0.7) * (1.6 if mood == "angry" else 1.0)
            weights.append(w)
        strategic = [i for i, c in enumerate(self.cust) if c[1] == 0] or [0]
        for i in rng.sample(strategic, min(len(strategic), max(1, n // 25_000))):
            weights[i] *= 45  # a few accounts with thousands of tickets: the longest customer page
        subjects = [
            rng.choice(t.TICKET_SUBJECTS).format(
                n=rng.randint(20400, 98999), m=rng.choice([12, 40, 85, 200]), amount=rng.choice(["400", "1,250", "3,980"])
            )
            for _ in range(3000)
        ]  # fmt: skip
        from .copyrows import esc

        subjects = [esc(s) for s in subjects]
        tags = [json.dumps(sorted(rng.sample(t.TICKET_TAGS, rng.randint(1, 2)))) for _ in range(200)]
        ids = Ids(self.cursor, SupportTicket._meta.db_table)
        imported = ts(self.now_ts)
        self.last_ticket = [None] * n
        per_customer = [0] * n
        columns = ["id", "source", "external_id", "subject", "status", "priority", "created_at", "updated_at",
                   "solved_at", "escalated", "reopen_count", "tags", "satisfaction", "imported_at", "customer_id",
                   "requester_id"]  # fmt: skip
        total, span = self.size["tickets"], HISTORY_DAYS * DAY
        step, first = span / total, self.now_ts - span
        random_ = rng.random
        cum = list(itertools.accumulate(weights))
        moods = [
            (0.10, 0.22, 0.65, 0.85, 0.95) if c[4] == "angry" else (0.025, 0.13, 0.85, 0.95, 0.99) for c in self.cust
        ]
        # Written in the order they were opened, as a help desk appends them: recent tickets sit
        # together at the end of the table, each customer's history is spread over all of it.
        with self.writer(SupportTicket, columns) as w:
            for chunk in range(0, total, CHUNK):
                picks = rng.choices(range(n), cum_weights=cum, k=min(CHUNK, total - chunk))
                for k, i in enumerate(picks, start=chunk):
                    cid = self.cust[i][0]
                    p_urgent, p_high, *reopen_cut = moods[i]
                    created = first + (k + random_()) * step
                    age = (self.now_ts - created) / DAY
                    r = random_()
                    if age > 14:
                        status = "open" if r < 0.01 else "pending" if r < 0.015 else "closed" if r < 0.6 else "solved"
                    else:
                        status = "new" if r < 0.1 else "open" if r < 0.5 else "pending" if r < 0.7 else "hold" if r < 0.75 else "solved"  # fmt: skip
                    r = random_()
                    priority = "urgent" if r < p_urgent else "high" if r < p_urgent + p_high else "normal" if r < 0.72 else "low"  # fmt: skip
                    updated = min(self.now_ts, created + 3600 + random_() * DAY * min(age, 20))
                    solved = status in ("solved", "closed")
                    escalated = random_() < {"urgent": 0.4, "high": 0.1}.get(priority, 0.02)
                    r = random_()
                    reopens = 0 if r < reopen_cut[0] else 1 if r < reopen_cut[1] else 2 if r < reopen_cut[2] else 3
                    satisfaction = ""
                    if solved and random_() < 0.4:
                        satisfaction = "bad" if random_() < (0.5 if p_urgent > 0.05 else 0.08) else "good"
                    tid = ids.next()
                    contacts = self.contacts_of[i]
                    requester = contacts[int(random_() * len(contacts))] if contacts and random_() < 0.9 else "\\N"
                    source = "freshdesk" if tid % 10 == 0 else "zendesk"
                    w.line(
                        f"{tid}\t{source}\t{tid + 100000}\t{subjects[tid % 3000]}\t{status}\t{priority}\t{ts(created)}"
                        f"\t{ts(updated)}\t{ts(updated) if solved else chr(92) + 'N'}\t{'t' if escalated else 'f'}"
                        f"\t{reopens}\t{tags[tid % 200]}\t{satisfaction}\t{imported}\t{cid}\t{requester}"
                    )
                    self.last_ticket[i] = tid
                    per_customer[i] += 1
        longest = max(range(n), key=per_customer.__getitem__)
        self.meta["longest_customer_id"] = self.cust[longest][0]
        self.meta["longest_customer_tickets"] = per_customer[longest]
        self.counts["tickets"] = ids.last

    def surveys(self) -> None:
        from customers.models import SurveyResponse

        from .copyrows import esc

        rng, t = self.rng, self.text
        weights = [TIERS[c[1]][4] * rng.random() * 2 for c in self.cust]
        pools = {
            "detractor": [esc(c) for c in t.NPS_DETRACTOR_COMMENTS],
            "passive": [esc(c) for c in t.NPS_PASSIVE_COMMENTS],
            "promoter": [esc(c) for c in t.NPS_PROMOTER_COMMENTS],
            "csat_low": [esc(c) for c in t.CSAT_LOW_COMMENTS],
            "csat_ok": [esc(c) for c in t.CSAT_OK_COMMENTS],
        }
        nps_by_mood = {
            "angry": ([0, 1, 2, 3, 4, 5, 6, 7], [3, 3, 3, 3, 2, 2, 2, 1]),
            "neutral": ([3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 2, 4, 6, 6, 3, 2]),
            "happy": ([7, 8, 9, 10], [1, 2, 4, 4]),
        }
        ids = Ids(self.cursor, SurveyResponse._meta.db_table)
        imported = ts(self.now_ts)
        columns = ["id", "source", "external_id", "kind", "score", "comment", "responded_at", "imported_at",
                   "contact_id", "customer_id"]  # fmt: skip
        total, span = self.size["surveys"], HISTORY_DAYS * DAY - 3600
        step, first = span / total, self.now_ts - 3600 - span
        cum = list(itertools.accumulate(weights))
        with self.writer(SurveyResponse, columns) as w:  # in the order they were answered
            for chunk in range(0, total, CHUNK):
                for k, i in enumerate(rng.choices(range(len(self.cust)), cum_weights=cum, k=min(CHUNK, total - chunk)), start=chunk):  # fmt: skip
                    cid, mood, contacts = self.cust[i][0], self.cust[i][4], self.contacts_of[i]
                    sid = ids.next()
                    if rng.random() < 0.8:
                        kind, score = "nps", rng.choices(*nps_by_mood[mood])[0]
                        pool = "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
                    else:
                        low = mood == "angry" and rng.random() < 0.6
                        kind, score = "csat", rng.choice([1, 2]) if low else rng.choice([3, 4, 5, 5])
                        pool = "csat_low" if score <= 2 else "csat_ok"
                    comment = rng.choice(pools[pool]) if rng.random() < (0.6 if pool in ("detractor", "csat_low") else 0.3) else ""  # fmt: skip
                    contact = rng.choice(contacts) if contacts else "\\N"
                    source, external = ("delighted", f"DL-{sid}") if kind == "nps" else ("csv", f"CS-{sid}")
                    responded = ts(first + (k + rng.random()) * step)
                    w.line(f"{sid}\t{source}\t{external}\t{kind}\t{score}\t{comment}\t{responded}\t{imported}\t{contact}\t{cid}")  # fmt: skip
        self.counts["surveys"] = ids.last


META_TABLE = "bench_dataset"


def read_meta(cursor) -> dict | None:
    cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'dataset'")
    row = cursor.fetchone()
    if not row:
        return None
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]  # Django's connection leaves jsonb as text


def generate(scale: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    started = clock.perf_counter()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg2's own cursor, for copy_expert
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Loading is several times faster without per-row index upkeep and foreign-key triggers;
        # every index is rebuilt (a unique one fails on a duplicate) and every foreign key is checked
        # with one anti-join afterwards, so each constraint still holds.
        cursor.execute("SET LOCAL session_replication_role = replica")
        indexes = _drop_secondary_indexes(cursor)
        summary = Generator(cursor, scale, seed, now).run()
        started_indexes = clock.perf_counter()
        for definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET LOCAL session_replication_role = origin")
        _check_foreign_keys(cursor)
        print(f"  indexes and foreign keys: {clock.perf_counter() - started_indexes:.1f} s", file=sys.stderr)
        for table in _tables_with_ids(cursor):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
    loaded = clock.perf_counter() - started
    connection.cursor().execute("VACUUM ANALYZE")
    analyzed = clock.perf_counter() - started
    # This week's sheets, by the real builder: the sheet page has its cards, flags are scheduled.
    from callsheets.builder import build_week
    from callsheets.models import week_start_of

    build_week(week_start_of(timezone.localdate(now)), now=now)
    summary.update(version=VERSION, scale=scale, seed=seed, generated_at=now.isoformat())
    summary["seconds"] = {
        "copy": round(loaded, 1),
        "vacuum_analyze": round(analyzed - loaded, 1),
        "this_weeks_build": round(clock.perf_counter() - started - analyzed, 1),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value jsonb NOT NULL)")
        cursor.execute(
            f"INSERT INTO {META_TABLE} VALUES ('dataset', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(summary)],
        )
    return summary


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drops every index that does not back a constraint (primary and unique keys stay); returns their DDL."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _check_foreign_keys(cursor) -> None:
    """Every foreign key of the public schema holds: one anti-join per key, an error names the first broken one."""
    cursor.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]"
        " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'"
    )
    for table, column, target, target_column in cursor.fetchall():
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} x WHERE x.{column} IS NOT NULL"
            f" AND NOT EXISTS (SELECT 1 FROM {target} y WHERE y.{target_column} = x.{column})"
        )
        broken = cursor.fetchone()[0]
        if broken:
            raise RuntimeError(f"bench: {broken} rows of {table}.{column} point at no {target} row")


def _tables_with_ids(cursor) -> list[str]:
    cursor.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'"
        " AND is_identity = 'YES'"
    )
    return [row[0] for row in cursor.fetchall()]


def main(argv=None) -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="customers (default 100,000)")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    if args.scale < 100:
        parser.error("--scale must be at least 100 customers")
    django.setup()
    summary = generate(args.scale, args.seed)
    print(json.dumps(summary))


def _e164(phone: str) -> str:
    """The patterns above are international and valid: E.164 is their digits after a +
    (customers.phones reads each at 80 µs; a million of them need not)."""
    return "+" + "".join(ch for ch in phone if ch.isdigit()) if phone else ""


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    main()
