"""A sheet module as a new app would write it (tests/test_excel_framework.py registers it)."""

from grassroots.excel.parts import Part
from grassroots.excel.schema import INT, Column, Sheet

NOTES = Sheet(
    kind="notes",
    name="Ghi chú",
    key="Số",
    columns=(Column("number", "Số", INT, required=True), Column("text", "Nội dung")),
)


class NotesPart(Part):
    sheets = (NOTES,)
    seen: list = []

    def check(self) -> None:
        for row in self.rows_of(NOTES):
            if "number" not in row.values:
                continue  # its cell was already reported by the framework
            if row.values["number"] < 0:
                self.problem(NOTES, row.number, NOTES.header("number"), "số phải dương.")
            else:
                self.report.count(NOTES, "unchanged")
                NotesPart.seen.append(row.values)


PART = NotesPart
