"""The preview of a plan as a workbook for the committee's approval (excel/workbooks.py writer,
which escapes formulas): the organizations' figures before and after, the members whose cell
changes, the villages whose commune changes, the records that roll up differently, problems."""

from __future__ import annotations

import io

from grassroots.excel.workbooks import SheetData, write_xlsx

from .models import Plan
from .preview import Preview

FIGURE_KEYS = (
    ("members", "Đảng viên"),
    ("official_members", "Chính thức"),
    ("probationary_members", "Dự bị"),
    ("exempt_members", "Miễn sinh hoạt"),
    ("grassroots_organizations", "Tổ chức cơ sở đảng"),
    ("grassroots_committees", "Đảng bộ cơ sở"),
    ("grassroots_cells", "Chi bộ cơ sở"),
    ("subordinate_organizations", "Tổ chức trực thuộc"),
    ("partial_committees", "Đảng bộ bộ phận"),
    ("subordinate_cells", "Chi bộ trực thuộc"),
    ("villages", "Thôn, tổ dân phố"),
    ("villages_own_cell", "Có chi bộ độc lập"),
    ("villages_joint_cell", "Sinh hoạt ghép"),
    ("villages_no_cell", "Chưa có chi bộ"),
    ("population", "Dân số"),
)


def _side(data: dict | None, key: str):
    return None if data is None else data.get(key)


def preview_workbook(plan: Plan, preview: Preview) -> bytes:
    titles = [f"Kế hoạch: {plan.name}", f"Ngày hiệu lực: {preview.day:%d/%m/%Y}"]
    headers = ["Mã tổ chức", "Tên trước", "Cấp trên trước", "Tên sau", "Cấp trên sau"]
    for _key, label in FIGURE_KEYS:
        headers += [f"{label} (trước)", f"{label} (sau)"]
    rows = []
    for a in preview.affected:
        before, after = a["before"], a["after"]
        row = [
            a["code"],
            _side(before, "name"),
            _side(before, "parent"),
            _side(after, "name"),
            _side(after, "parent"),
        ]
        for key, _label in FIGURE_KEYS:
            row += [_side(before, key), _side(after, key)]
        rows.append(row)
    sheets = [
        SheetData("Tổ chức", headers, rows, titles=titles, widths=[14, 30, 12, 30, 12]),
        SheetData(
            "Đảng viên đổi chi bộ",
            ["Số lý lịch", "Họ và tên", "Chi bộ trước", "Chi bộ sau"],
            [[m["number"], m["name"], m["before"], m["after"]] for m in preview.members],
            titles=titles,
        ),
        SheetData(
            "Thôn đổi xã",
            ["Mã thôn", "Tên thôn", "Xã trước", "Xã sau"],
            [[v["code"], v["name"], v["before"], v["after"]] for v in preview.villages],
            titles=titles,
        ),
        SheetData(
            "Hồ sơ khác",
            ["Loại", "Số lượng"],
            [[r["what"], r["count"]] for r in preview.records],
            titles=titles,
        ),
        SheetData("Vấn đề", ["Vấn đề"], [[str(p)] for p in preview.problems], titles=titles),
    ]
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()
