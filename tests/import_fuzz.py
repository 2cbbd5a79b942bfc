"""Generated workbooks and CSV files for the importer's fuzz test (issue 20 "Also"): used by
tests/test_excel_fuzz.py (a few hundred per run) and bench/fuzz_import.py (thousands).

A file is built from the import format itself (sheets, headers, codes) and then spoiled at
random: cells of the wrong type, formula-like and very long texts, columns missing or doubled,
cells far away, merged cells, formulas, truncated or corrupted bytes, broken CSV quoting,
other encodings. The property: the importer never raises, and a refused file writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from grassroots.audit.models import AuditRecord
from grassroots.excel import schema
from grassroots.members.models import Member, MemberEvent
from grassroots.organizations.models import Unit, UnitChange, UnitVersion
from grassroots.territory.models import Population, Village, VillageVersion

CODES = ["LS", "ls", "DL", "DL-C1", "CB", "CB-C1", "XX", "LS-NEW", "LS-NEW2", ""]
NUMBERS = ["000001LS", "000002LS", "123456LS", "000001ls", "9", "", "000777LS"]


def _labels(column: schema.Column) -> list[str]:
    return [*column.codes.labels(), *(v for v, _ in column.codes.choices)] if column.codes else []


texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", "+84912", "-5", "@SUM(A1)", "\t=x", '=HYPERLINK("x")', " ", "\u200b"]),
    st.sampled_from(CODES + NUMBERS),
    st.text(alphabet="0123456789/.-", max_size=12),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)),
    st.booleans(),
)


@st.composite
def cell_for(draw, column: schema.Column):
    """Mostly a plausible value for the column, sometimes anything."""
    if draw(st.integers(0, 4)) == 0:
        return draw(values)
    if column.codes:
        return draw(st.sampled_from(_labels(column)))
    if column.type == schema.DATE:
        return draw(
            st.one_of(
                st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
                st.sampled_from(
                    ["31/02/2010", "01/07/2025", "1/1/2000", "2019-02-23", "99/99/9999"]
                ),
            )
        )
    if column.type == schema.INT:
        return draw(st.one_of(st.integers(-5, 10**7), st.sampled_from(["61.491", "abc", 2019])))
    if column.field in ("code", "unit", "parent", "target", "cell"):
        return draw(st.sampled_from(CODES))
    if column.field == "profile_number":
        return draw(st.sampled_from(NUMBERS))
    return draw(texts)


@st.composite
def sheet_rows(draw, sheet: schema.Sheet) -> list[list]:
    columns = list(sheet.columns)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 5)) == 0 and len(columns) > 1:
        columns = columns[: draw(st.integers(1, len(columns) - 1))]  # a required column missing
    if draw(st.integers(0, 8)) == 0:
        columns = [*columns, columns[0]]  # a column twice
    header = [c.header for c in columns]
    if draw(st.integers(0, 8)) == 0:
        header = [draw(texts) for _ in header]  # no header at all
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        rows.append([draw(cell_for(c)) for c in columns])
    return rows


def _storable(value):
    """What an .xlsx can hold: no NaN, no control characters (Excel cannot type them either)."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


@st.composite
def workbooks(draw) -> tuple[bytes, str]:
    wb = Workbook()
    wb.remove(wb.active)
    chosen = draw(st.lists(st.sampled_from(schema.SHEETS), min_size=0, max_size=4, unique=True))
    for sheet in chosen:
        title = (
            sheet.name
            if draw(st.integers(0, 9))
            else draw(st.sampled_from(["Sheet1", sheet.kind, "Hướng dẫn"]))
        )
        if title in wb.sheetnames:
            continue
        ws = wb.create_sheet(title)
        for _ in range(draw(st.integers(0, 2))):
            ws.append([_storable(draw(texts))])  # title rows above the header
        for row in draw(sheet_rows(sheet)):
            ws.append([_storable(v) for v in row])
        spoil = draw(st.integers(0, 12))
        if spoil == 0:
            ws[draw(st.sampled_from(["XFD1048576", "AZ1000000", "C600000", "GZ2", "Z99"]))] = 1
        elif spoil == 1:
            ws.merge_cells("A2:B3")
        elif spoil == 2:
            ws["B2"] = "=1+1"
    if not wb.sheetnames:
        wb.create_sheet("Trống")
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    damage = draw(st.integers(0, 9))
    # (positions as a share of the length: openpyxl stamps the time, so lengths vary by a byte)
    share = draw(st.integers(0, 999)) / 1000
    if damage == 0:
        data = data[: int(len(data) * share)]  # truncated upload
    elif damage == 1:
        at = int((len(data) - 1) * share)
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]  # one corrupted byte
    elif damage == 2:
        data = _bomb(data)
    return data, "du-lieu.xlsx"


def _bomb(data: bytes) -> bytes:
    """The same workbook with its first sheet inflated by a long run of one character."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                part = part.replace(
                    b"</sheetData>",
                    b'<row r="9"><c r="A9" t="inlineStr"><is><t>'
                    + b"x" * 5_000_000
                    + b"</t></is></c></row></sheetData>",
                    1,
                )
            target.writestr(info.filename, part)
    return out.getvalue()


@st.composite
def csv_files(draw) -> tuple[bytes, str]:
    sheet = draw(st.sampled_from(schema.SHEETS))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    lines = []
    for row in draw(sheet_rows(sheet)):
        cells = []
        for value in row:
            text = (
                ""
                if value is None
                else value.strftime("%d/%m/%Y")
                if isinstance(value, dt.date)
                else str(value)
            )
            if draw(st.integers(0, 3)) == 0:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        lines.append(delimiter.join(cells))
    text = "\n".join(lines)
    spoil = draw(st.integers(0, 9))
    if spoil == 0:
        text += '\n"' + "x" * 140_000  # an unclosed quote: a field over 128 KB
    elif spoil == 1:
        text = text.replace("\n", "\r", draw(st.integers(0, 3)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-8", "utf-16", "cp1258"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data += b"\xff\xfe\x00"
    name = draw(st.sampled_from([f"{sheet.name}.csv", "du-lieu.csv", "x.txt", "noname"]))
    return data, name


@st.composite
def valid_workbooks(draw) -> tuple[bytes, str]:
    """Files a clerk of DL may import (new cells under DL, population of DL-C1), so the
    accepted path is exercised too; the same codes again are unchanged or refused."""
    wb = Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet(schema.ORGANIZATIONS.name)
    ws.append([c.header for c in schema.ORGANIZATIONS.columns])
    for n in draw(st.lists(st.integers(1, 30), max_size=4, unique=True)):
        day = draw(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2024, 12, 31)))
        ws.append([f"DL-N{n}", f"Chi bộ {n}", "Chi bộ cơ sở", "Cơ quan hành chính", "DL", day])
    ws = wb.create_sheet(schema.POPULATION.name)
    ws.append([c.header for c in schema.POPULATION.columns])
    for year in draw(st.lists(st.integers(2000, 2030), max_size=3, unique=True)):
        ws.append(["DL-C1", year, draw(st.integers(1, 10**6))])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), "hop-le.xlsx"


files = st.one_of(workbooks(), csv_files(), valid_workbooks())


def database_state() -> tuple[int, ...]:
    """Rows of everything an import can write."""
    return tuple(
        model.objects.count()
        for model in (
            Unit,
            UnitVersion,
            UnitChange,
            Member,
            MemberEvent,
            Village,
            VillageVersion,
            Population,
            AuditRecord,
        )
    )
