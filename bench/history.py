"""The program's past in the bench data set: weekly sheets and their calls, calls logged off the
sheets, commitments, today's open flags and the closed ones before them (see bench/dataset.py)."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta

from .copyrows import Ids

HISTORY_DAYS = 730
DAY = 86_400.0


class ProgramHistory:
    """The part of dataset.Generator that writes the program's past; the customers come first."""

    def history(self) -> None:
        from callsheets.models import CallLog, CallSheet, ScoringPolicy, SheetEntry

        rng = self.rng
        per_week = sum(60 // e[5] + 2 for e in self.executives)
        weeks = max(8, min(104, round(0.25 * self.size["calls"] / per_week)))
        today = self.now.date()
        this_monday = today - timedelta(days=today.weekday())
        policy = {
            f.name: f.get_default()
            for f in ScoringPolicy._meta.concrete_fields
            if f.name not in {"id", "updated_at", "updated_by"}
        }
        sheet_ids, entry_ids, call_ids = (
            Ids(self.cursor, CallSheet._meta.db_table),
            Ids(self.cursor, SheetEntry._meta.db_table),
            Ids(self.cursor, CallLog._meta.db_table),
        )
        self.calls = []  # (call id, customer index, called_at, executive user id, reached, sheet id)
        sheet_cols = ["id", "executive_id", "week_start", "slot_starts_at", "built_at", "inputs"]
        entry_cols = ["id", "sheet_id", "week_start", "customer_id", "contact_id", "position", "score", "reasons",
                      "signals", "is_backup", "is_listening", "status", "flag_id"]  # fmt: skip
        call_cols = ["id", "entry_id", "executive_id", "customer_id", "contact_id", "called_at", "outcome",
                     "duration_minutes", "notes", "sentiment", "logged_by_id", "created_at", "updated_at"]  # fmt: skip
        with (
            self.writer(CallSheet, sheet_cols) as sheets,
            self.writer(SheetEntry, entry_cols) as entries,
            self.writer(CallLog, call_cols) as calls,
        ):
            for weeks_ago in range(weeks, 0, -1):
                monday = this_monday - timedelta(weeks=weeks_ago)
                picks = rng.sample(self.callable_idx, min(len(self.callable_idx), per_week + 100))
                left_off = [self._left_off(i, monday) for i in picks[per_week:]]
                for eid, uid, zone, weekday, start, per_call in self.executives:
                    slot = datetime.combine(monday + timedelta(days=weekday), start, tzinfo=zoneinfo.ZoneInfo(zone))
                    slot = slot.astimezone(UTC)
                    sid = sheet_ids.next()
                    capacity = 60 // per_call
                    sheets.row((sid, eid, monday, slot, slot - timedelta(days=3), self._inputs(policy, monday, slot, zone, capacity, left_off)))  # fmt: skip
                    mine, picks = picks[: capacity + 2], picks[capacity + 2 :]
                    for position, i in enumerate(mine, start=1):
                        backup, listening = position > capacity, position == capacity
                        reasons, score = self._reasons(i, monday, listening)
                        called = rng.random() < (0.15 if backup else 0.88)
                        status = "called" if called else ("pending" if backup else "skipped")
                        contact = self.callable_of[i][0]
                        entry_id = entry_ids.next()
                        tier = self.tier_of(i)
                        entries.row((entry_id, sid, monday, self.cust[i][0], contact, position, score, reasons,
                                     {"tier": tier, "base_points": score}, backup, listening, status, None))  # fmt: skip
                        if called:
                            at = slot + timedelta(minutes=per_call * (position - 1) + rng.randint(0, 4))
                            self._call(calls, call_ids.next(), entry_id, eid, uid, i, contact, at, sid)
            sheet_calls = len(self.calls)
            # Calls logged off the sheets (urgent calls, follow-ups), oldest first.
            for ago in sorted((rng.random() for _ in range(max(0, self.size["calls"] - sheet_calls))), reverse=True):
                eid, uid = rng.choice(self.executives)[:2]
                i = rng.choice(self.callable_idx)
                at = self.now - timedelta(seconds=3600 + ago * HISTORY_DAYS * DAY)
                self._call(calls, call_ids.next(), None, eid, uid, i, rng.choice(self.callable_of[i]), at, None)
        self.counts.update(sheets=sheet_ids.last, entries=entry_ids.last, calls=call_ids.last, sheet_weeks=weeks)

    def _call(self, w, call_id, entry_id, eid, uid, i, contact, at, sheet_id) -> None:
        rng, t = self.rng, self.text
        outcome = rng.choices(["reached", "voicemail", "no_answer", "rescheduled"], [66, 14, 12, 8])[0]
        reached = outcome == "reached"
        # The demo's scripts: notes that agree with the outcome and the mood.
        script = rng.choice(t.CALL_SCRIPTS) if reached else None
        notes = script.notes if reached else rng.choice(t.NOTES_BY_OUTCOME[outcome])
        w.row((call_id, entry_id, eid, self.cust[i][0], contact, at, outcome,
               rng.randint(8, 19) if reached else rng.randint(1, 3),
               notes, script.sentiment if reached else "",
               uid, at, at))  # fmt: skip
        self.calls.append((call_id, i, at, uid, reached, sheet_id))

    def _reasons(self, i: int, monday, listening: bool) -> tuple[list, float]:
        if listening:
            text = f"Listening call: no alarm at all, drawn at random for the week of {monday.day} {monday:%b}"
            return [{"code": "listening", "text": text, "points": 0.0}], 0.0
        rng, t = self.rng, self.text
        score = rng.randint(2, 6)
        points = 8.0 * (7 - score)
        quote = rng.choice(t.NPS_DETRACTOR_COMMENTS)
        reasons = [{"code": "nps_detractor", "text": f'NPS {score} on {monday.day} {monday:%b}: "{quote}"', "points": points}]  # fmt: skip
        if rng.random() < 0.5:
            reasons.append({"code": "urgent_tickets", "text": f"{rng.randint(1, 3)} urgent tickets", "points": 24.0})
        return reasons, sum(r["points"] for r in reasons)

    def _left_off(self, i: int, monday) -> dict:
        cid = self.cust[i][0]
        return {
            "customer_id": cid, "customer_external_id": f"C{i + 1:07d}", "customer": f"Customer {cid}",
            "code": "capacity", "text": f"No room: every sheet of the week of {monday.day} {monday:%b} was full",
            "score": round(self.rng.uniform(40, 90), 2), "flag_id": None,
        }  # fmt: skip

    def _inputs(self, policy, monday, slot, zone, capacity, left_off) -> dict:
        return {
            "built_at": (slot - timedelta(days=3)).isoformat(),
            "week_start": monday.isoformat(),
            "policy": policy,
            "executive": {"capacity": capacity, "backups": 2, "slot_start": slot.isoformat(), "timezone": zone},
            "counts": {
                "customers_with_signals": 0,
                "callable_candidates": 0,
                "quiet_pool": len(self.callable_idx),
                "left_off": {"capacity": len(left_off)},
            },  # fmt: skip
            "left_off": left_off,
            "left_off_truncated": 0,
            "messages": [],
        }

    def commitments(self) -> None:
        from callsheets.models import Commitment

        rng, t = self.rng, self.text
        reached = [c for c in self.calls if c[4]]
        ids = Ids(self.cursor, Commitment._meta.db_table)
        today = self.now.date()
        columns = ["id", "call_id", "customer_id", "promise", "owner_id", "due_date", "status", "customer_told",
                   "resolution", "created_at", "updated_at", "completed_at"]  # fmt: skip
        with self.writer(Commitment, columns) as w:
            for _ in range(self.size["commitments"]):
                call_id, i, at, uid, _, _ = rng.choice(reached)
                due = at.date() + timedelta(days=rng.randint(5, 21))
                owner = uid if rng.random() < 0.5 else rng.choice(self.users["colleague"] + self.users["admin"])
                status, completed, resolution, told = "open", None, "", False
                fate = rng.random()
                if due < today and fate < 0.94:
                    status = "done" if fate < 0.84 else "dropped"
                elif due >= today and fate < 0.2:
                    status = "done"
                if status != "open":
                    finished = min(due + timedelta(days=rng.randint(-6, 4)), today - timedelta(days=1))
                    completed = max(at, datetime.combine(finished, time(15, 0), tzinfo=UTC))
                    resolution = rng.choice(t.RESOLUTIONS) if status == "done" else "Dropped: no longer needed."
                    told = status == "done" and rng.random() < 0.75
                w.row((ids.next(), call_id, self.cust[i][0], rng.choice(self.promises), owner, due, status, told,
                       resolution, at, completed or at, completed))  # fmt: skip
        self.counts["commitments"] = ids.last

    def open_flags(self) -> None:
        """Today's open flags (1 % urgent), and the closed history: called, closed and dismissed flags."""
        from customers.models import Flag

        rng, t = self.rng, self.text
        ids = Ids(self.cursor, Flag._meta.db_table)
        columns = ["id", "customer_id", "raised_by_id", "origin", "reason", "urgency", "ticket_id", "contact_id",
                   "status", "sheet_id", "call_id", "not_placed_reason", "dismissed_reason", "dismissed_by_id",
                   "lead_notified_at", "created_at", "updated_at", "scheduled_at", "called_at", "closed_at"]  # fmt: skip
        leads = self.users["lead"]
        with self.writer(Flag, columns) as w:
            angry = [i for i in range(len(self.cust)) if self.cust[i][4] == "angry"]
            others = [i for i in range(len(self.cust)) if self.cust[i][4] != "angry"]
            wanted = self.size["open_flags"]
            chosen = rng.sample(angry, min(len(angry), int(wanted * 0.7)))
            chosen += rng.sample(others, wanted - len(chosen))
            for k, i in enumerate(chosen):
                urgent = k % 100 == 0
                reason = rng.choice(t.FLAG_REASONS_URGENT if urgent else t.FLAG_REASONS)
                created = self.now - timedelta(days=rng.uniform(0.2, 14))
                ticket = self.last_ticket[i] if rng.random() < 0.3 else None
                contact = rng.choice(self.callable_of[i]) if self.callable_of[i] and rng.random() < 0.5 else None
                w.row((ids.next(), self.cust[i][0], rng.choice(leads), "lead", reason,
                       "urgent" if urgent else "normal", ticket, contact, "open", None, None, "", "", None, None,
                       created, created, None, None, None))  # fmt: skip
            for call_id, i, at, _, _, sheet_id in self.calls:
                if sheet_id is None or rng.random() > 0.35 or at > self.now:
                    continue
                status = "closed" if rng.random() < 0.6 else "called"
                created = at - timedelta(days=rng.randint(4, 9))
                w.row((ids.next(), self.cust[i][0], rng.choice(leads), "lead", rng.choice(t.FLAG_REASONS), "normal",
                       None, None, status, sheet_id, call_id, "", "", None, at + timedelta(minutes=1), created,
                       at, at - timedelta(days=3), at, at + timedelta(days=2) if status == "closed" else None))  # fmt: skip
            for _ in range(max(1, len(self.cust) // 200)):
                i = rng.randrange(len(self.cust))
                created = self.now - timedelta(days=rng.uniform(15, HISTORY_DAYS))
                w.row((ids.next(), self.cust[i][0], rng.choice(leads), "lead", rng.choice(t.FLAG_REASONS), "normal",
                       None, None, "dismissed", None, None, "", "Handled by the account team instead.",
                       self.users["admin"][0], None, created, created + timedelta(days=1), None, None,
                       created + timedelta(days=1)))  # fmt: skip
        self.counts["flags"] = ids.last
        self.counts["open_flags"] = self.size["open_flags"]
