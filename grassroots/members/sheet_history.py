"""Checking a member's whole history as read from the import workbook: the admission row and
the event rows (with the events already recorded) through lifecycle.derive_stints and
UnitChecker.check_stints, blaming the row of the event that made it impossible (a mixin of
members/sheets.py's MembersPart)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from grassroots.excel.parts import Row

from . import lifecycle


class HistoryChecks:
    def _ev(
        self, v: dict, key: int, kind: str | None = None, day_field: str = "date"
    ) -> lifecycle.Ev:
        return lifecycle.Ev(
            kind=kind or v["kind"],
            date=v[day_field],
            unit_id=self.code(v.get("unit")),
            decision_date=v.get("decision_date"),
            discipline_form=v.get("discipline_form", ""),
            key=key,
        )

    def _validate_history(self, evs, sources, member_row, checker) -> list | None:
        """derive_stints + check_stints: the stints (units as codes), or None after naming the
        row of the event that broke the history."""
        try:
            stints = lifecycle.derive_stints(
                evs, unit_exists=checker.exists, is_cell=checker.is_cell
            )
            checker.check_stints(stints)
            return stints
        except ValidationError as exc:
            failing = self._first_failing(evs, checker)
            self._blame(exc, sources.get(failing.key) if failing else None, member_row, sources)
            return None

    def _first_failing(self, evs, checker) -> lifecycle.Ev | None:
        ordered = lifecycle.sort_events(evs)
        for n in range(1, len(ordered) + 1):
            try:
                lifecycle.derive_stints(
                    ordered[:n], unit_exists=checker.exists, is_cell=checker.is_cell
                )
            except ValidationError:
                # an event already in the database cannot be the culprit: blame the last file row
                for ev in reversed(ordered[:n]):
                    if ev.key >= 0:
                        return ev
                return None
        return ordered[-1] if ordered else None

    _EVENT_COLUMNS = {
        "date": "date",
        "unit": "unit",
        "decision_date": "decision_date",
        "discipline_form": "discipline_form",
    }
    _ADMISSION_COLUMNS = {
        "date": "admission_date",
        "unit": "unit",
        "decision_date": "decision_date",
    }

    def _blame(self, exc: ValidationError, source, member_row: Row | None, sources) -> None:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for name, messages in fields.items():
            for message in messages:
                if source is None or source[0] == "members":
                    row = source[1] if source else member_row
                    sheet = self.MEMBERS
                    column = self._ADMISSION_COLUMNS.get(name, "admission_date")
                else:
                    row, sheet = source[1], self.EVENTS
                    column = self._EVENT_COLUMNS.get(name, "date")
                self.problem(sheet, row.number if row else None, sheet.header(column), message)
