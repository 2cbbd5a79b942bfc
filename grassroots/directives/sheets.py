"""The register's sheets of the import workbook (the Excel framework, excel/parts.py):
"Văn bản chỉ đạo" (one row per document) and "Yêu cầu cấp dưới" (one row per requirement of a
document of the file or already registered). Every document is written through
`services.document_register` with its requirements (and a requirement of a registered document
through `services.requirement_add`), so every rule applies and a refusal is a problem on that
row; nothing is written unless every row passes (all or nothing). `export_register` writes the
same format, so a register moves from one installation to another.
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, record
from grassroots.core.dates import vn
from grassroots.excel.injection import escaped
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, Column, Sheet, codes
from grassroots.organizations.models import Unit

from . import queries, services
from .kinds import (
    ACTION_CHOICES,
    AUDIENCE_CHOICES,
    CENTRAL_BODIES,
    KIND_CHOICES,
    LEVEL_CHOICES,
    parse_symbol,
)
from .models import Document, Requirement

DOC_KINDS = codes("Loại văn bản", KIND_CHOICES)
LEVELS = codes("Cấp thực hiện", LEVEL_CHOICES)
ACTIONS = codes("Việc phải làm", ACTION_CHOICES)
AUDIENCES = codes("Đối tượng học tập", AUDIENCE_CHOICES)

DOCUMENTS = Sheet(
    kind="directives",
    name="Văn bản chỉ đạo",
    key="Cơ quan ban hành + Số và ký hiệu",
    help="Mỗi dòng là một văn bản. “Cơ quan ban hành” là mã tổ chức đảng (ví dụ LS) hoặc mã cơ "
    "quan Trung ương (TW, BTCTW...). Văn bản thực hiện (hoặc sơ kết, tổng kết) ghi số và ký "
    "hiệu của văn bản cấp trên, đã đăng ký hoặc ở dòng trên trong sheet này.",
    columns=(
        Column("issuer", "Cơ quan ban hành", required=True, width=12),
        Column("kind", "Loại văn bản", CODE, required=True, codes=DOC_KINDS, width=20),
        Column("symbol", "Số và ký hiệu", required=True, width=14),
        Column("date", "Ngày ban hành", DATE, required=True, width=12),
        Column("title", "Trích yếu", required=True, width=40),
        Column("summary", "Tóm tắt", width=40),
        Column("parent", "Thực hiện văn bản (số và ký hiệu)", width=14),
        Column("parent_issuer", "Cơ quan ban hành văn bản đó", width=12),
    ),
    examples=(
        ("TW", "Nghị quyết", "22-NQ/TW", "02/02/2008", "Nghị quyết về tổ chức cơ sở đảng"),
        (
            "LS",
            "Kế hoạch",
            "15-KH/TU",
            "20/03/2008",
            "Kế hoạch thực hiện Nghị quyết 22",
            "",
            "22-NQ/TW",
            "TW",
        ),
    ),  # fmt: skip
)
REQUIREMENTS = Sheet(
    kind="directive_requirements",
    name="Yêu cầu cấp dưới",
    key="Cơ quan ban hành + Số và ký hiệu + Cấp + Việc",
    help="Mỗi dòng là một việc văn bản yêu cầu các tổ chức cấp dưới làm, với thời hạn. Học tập "
    "ghi đối tượng; báo cáo ghi loại (sơ kết hoặc tổng kết).",
    columns=(
        Column("issuer", "Cơ quan ban hành", required=True, width=12),
        Column("symbol", "Số và ký hiệu", required=True, width=14),
        Column("level", "Cấp thực hiện", CODE, required=True, codes=LEVELS, width=22),
        Column("action", "Việc phải làm", CODE, required=True, codes=ACTIONS, width=22),
        Column("audience", "Đối tượng học tập", CODE, codes=AUDIENCES, width=18),
        Column("doc_kind", "Loại văn bản phải ban hành / báo cáo", CODE, codes=DOC_KINDS, width=20),
        Column("deadline", "Thời hạn", DATE, required=True, width=12),
        Column("note", "Ghi chú", width=24),
    ),  # fmt: skip
    examples=(
        (
            "LS",
            "15-KH/TU",
            "Cấp huyện và tương đương",
            "Ban hành văn bản thực hiện",
            "",
            "Chương trình hành động",
            "30/06/2008",
        ),
    ),  # fmt: skip
)


def _key(issuer: str, symbol: str) -> tuple[str, str]:
    parsed = parse_symbol(symbol or "")
    return (str(issuer or "").strip().upper(), str(parsed) if parsed else str(symbol).strip())


class DirectivesPart(Part):
    sheets = (DOCUMENTS, REQUIREMENTS)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.documents: list[tuple[Row, dict]] = []
        self.additions: list[tuple[Row, Document, dict]] = []

    def _unit(self, code: str) -> Unit | None:
        if self.user is None:
            return Unit.objects.filter(code__iexact=code).first()
        try:
            return access.get_unit_for_user(self.user, code, role=Role.CLERK)
        except (Http404, PermissionDenied):
            return None

    def _registered(self, issuer: str, symbol: str, before: dt.date | None = None):
        """A registered document the account reads, by issuer and symbol (the latest, or the
        latest dated on or before `before`)."""
        rows = queries.documents_visible(self.user).filter(symbol=symbol)
        rows = rows.filter(issuer__code__iexact=issuer) if issuer not in CENTRAL_BODIES else (
            rows.filter(issuer__isnull=True, central_body=issuer)
        )  # fmt: skip
        if before is not None:
            rows = rows.filter(date__lte=before)
        return rows.order_by("-date", "-id").first()

    def _parent(self, key: tuple[str, str], found: dict, day) -> object:
        """The document implemented, from the file (written parents first) or the register;
        without its issuer, by the symbol alone."""
        issuer, symbol = key
        if issuer:
            return found.get(key) or self._registered(issuer, symbol, day)
        same = [args for (_i, s), args in found.items() if s == symbol]
        if same:
            return same[-1]
        rows = queries.documents_visible(self.user).filter(symbol=symbol)
        if isinstance(day, dt.date):
            rows = rows.filter(date__lte=day)
        return rows.order_by("-date", "-id").first()

    def check(self) -> None:
        in_file: dict[tuple[str, str], dict] = {}
        for row in self.rows_of(DOCUMENTS):
            v = row.values
            issuer = str(v.get("issuer") or "").strip().upper()
            args = {
                "kind": v.get("kind"), "symbol": str(v.get("symbol") or ""), "date": v.get("date"),
                "title": str(v.get("title") or ""), "summary": str(v.get("summary") or ""),
                "issuer": None, "central_body": "", "requirements": [], "parent": None,
            }  # fmt: skip
            if issuer in CENTRAL_BODIES:
                args["central_body"] = issuer
            elif issuer:
                args["issuer"] = self._unit(issuer)
                if args["issuer"] is None:
                    self.problem(DOCUMENTS, row.number, DOCUMENTS.header("issuer"),
                                 f"không có tổ chức mã {issuer} trong phạm vi được ghi.")  # fmt: skip
            key = _key(issuer, args["symbol"])
            if key in in_file:
                self.problem(DOCUMENTS, row.number, DOCUMENTS.header("symbol"),
                             f"văn bản {key[1]} của {issuer} được ghi hai lần.")  # fmt: skip
            if v.get("parent"):
                args["parent"] = _key(v.get("parent_issuer"), str(v["parent"]))
            in_file[key] = args
            self.documents.append((row, args))
            self.report.count(DOCUMENTS, "created")
        for row, args in self.documents:  # a parent may be anywhere in the file
            if args["symbol"] and parse_symbol(args["symbol"]) is None:
                self.problem(DOCUMENTS, row.number, DOCUMENTS.header("symbol"),
                             f"Số và ký hiệu “{args['symbol']}” không đúng dạng (ví dụ 22-NQ/TW, "
                             "11-NQ/ĐUK).")  # fmt: skip
            if not args["parent"]:
                continue
            parent = self._parent(args["parent"], in_file, args["date"])
            if not parent:
                self.problem(DOCUMENTS, row.number, DOCUMENTS.header("parent"),
                             f"không tìm thấy văn bản {args['parent'][1]} "
                             "(đã đăng ký hoặc trong sheet này).")  # fmt: skip
                continue
            parent_day = parent["date"] if isinstance(parent, dict) else parent.date
            day = args["date"]
            if isinstance(day, dt.date) and isinstance(parent_day, dt.date) and day < parent_day:
                self.problem(DOCUMENTS, row.number, DOCUMENTS.header("date"),
                             f"văn bản thực hiện ngày {vn(day)} không thể ban hành trước văn bản "
                             f"{args['parent'][1]} (ngày {vn(parent_day)}).")  # fmt: skip
        for row in self.rows_of(REQUIREMENTS):
            v = row.values
            key = _key(v.get("issuer"), str(v.get("symbol") or ""))
            values = {f: v.get(f) for f in ("level", "action", "audience", "doc_kind",
                                            "deadline", "note")}  # fmt: skip
            values["note"] = str(values["note"] or "")
            if key in in_file:
                self._check_requirement(row, in_file[key], values)
                in_file[key]["requirements"].append((row, values))
            else:
                doc = self._registered(*key)
                if doc is None:
                    self.problem(REQUIREMENTS, row.number, REQUIREMENTS.header("symbol"),
                                 f"không có văn bản {key[1]} của {key[0]} ở sheet "
                                 f"{DOCUMENTS.name} hay đã đăng ký.")  # fmt: skip
                    continue
                self.additions.append((row, doc, values))
            self.report.count(REQUIREMENTS, "created")

    def _check_requirement(self, row: Row, args: dict, values: dict) -> None:
        """The requirement's rules (a level existing under the issuer on the document's date,
        an audience for a study...) reported on its own row before anything is written."""
        if not isinstance(args["date"], dt.date) or not (args["issuer"] or args["central_body"]):
            return  # the document's row is already refused
        probe = Document(
            issuer=args["issuer"], central_body=args["central_body"], date=args["date"]
        )
        try:
            services.requirement_check(document=probe, values=values)
        except ValidationError as error:
            self.field_errors(REQUIREMENTS, row.number, error,
                              {c.field: c.header for c in REQUIREMENTS.columns})  # fmt: skip

    @property
    def has_writes(self) -> bool:
        return bool(self.documents or self.additions)

    @property
    def service_updates(self) -> bool:
        return True

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        columns = {c.field: c.header for c in DOCUMENTS.columns}
        columns["requirements"] = REQUIREMENTS.name
        req_columns = {c.field: c.header for c in REQUIREMENTS.columns}
        written: dict[tuple[str, str], Document] = {}
        # Parents first: an implementing document is never dated before its parent (a rule).
        ordered = sorted(self.documents, key=lambda item: (item[1]["date"] or dt.date.max,
                                                           item[0].number))  # fmt: skip
        for row, args in ordered:
            if args["issuer"] is None and not args["central_body"]:
                continue  # already reported
            parent = None
            if args["parent"] is not None:
                parent = self._parent(args["parent"], written, args["date"])
            reqs = [values for _row, values in args["requirements"]]

            def write_one(args=args, parent=parent, reqs=reqs):
                return services.document_register(
                    actor=actor, **{**args, "parent": parent, "requirements": reqs}
                )

            self._service_keep(DOCUMENTS, row, write_one, columns, written, args)
        for row, doc, values in self.additions:

            def add_one(doc=doc, values=values):
                services.requirement_add(actor=actor, document=doc, **values)

            self.service(REQUIREMENTS, row, add_one, req_columns)

    def _service_keep(self, sheet, row, call, columns, written, args) -> None:
        """`self.service`, keeping the document written for the rows that implement it."""
        result: list[Document] = []
        self.service(sheet, row, lambda: result.append(call()), columns)
        if result:
            issuer = args["issuer"].code if args["issuer"] else args["central_body"]
            written[_key(issuer, result[0].symbol)] = result[0]


PART = DirectivesPart


def _label(choices, value: str) -> str:
    with translation.override("vi"):
        return str(dict(choices).get(value, value)) if value else ""


def export_register(user, unit: Unit, actor: Actor) -> bytes:
    """The documents issued in `unit`'s subtree (today's) and the Centre's, as the account reads
    them, in the import format (parents before the documents implementing them)."""
    docs = list(
        queries.documents_visible(user)
        .filter(pk__in=queries.search_documents(user, unit=unit, limit=None).values("pk"))
        .select_related("issuer", "parent__issuer")
        .order_by("date", "id")
    )
    central = queries.documents_visible(user).filter(issuer__isnull=True).order_by("date", "id")
    seen = {d.pk for d in docs}
    docs = sorted(docs + [d for d in central if d.pk not in seen], key=lambda d: (d.date, d.pk))
    wb = Workbook()
    ws = wb.active
    ws.title = DOCUMENTS.name
    ws.append([c.header for c in DOCUMENTS.columns])
    for d in docs:
        parent = d.parent
        ws.append([escaped(v) for v in (
            d.issuer_code, _label(KIND_CHOICES, d.kind), d.symbol, d.date, d.title, d.summary,
            parent.symbol if parent else "", parent.issuer_code if parent else "",
        )])  # fmt: skip
    rs = wb.create_sheet(REQUIREMENTS.name)
    rs.append([c.header for c in REQUIREMENTS.columns])
    reqs = Requirement.objects.filter(document__in=[d.pk for d in docs]).select_related(
        "document__issuer"
    )
    for r in reqs.order_by("document__date", "document_id", "id"):
        rs.append([escaped(v) for v in (
            r.document.issuer_code, r.document.symbol, _label(LEVEL_CHOICES, r.level),
            _label(ACTION_CHOICES, r.action), _label(AUDIENCE_CHOICES, r.audience),
            _label(KIND_CHOICES, r.doc_kind), r.deadline, r.note,
        )])  # fmt: skip
    for sheet in (ws, rs):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
    record(
        actor, obj=unit, action="export", reason="Xuất sổ văn bản chỉ đạo",
        changes={"export": [None, "sổ văn bản chỉ đạo"], "format": [None, "xlsx"],
                 "rows": [None, len(docs)]},
    )  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
