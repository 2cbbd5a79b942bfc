"""The organization sheets of the import workbook: "Tổ chức đảng" (each organization as it was
established) and "Thay đổi tổ chức" (each later decision), with their check and writer
(`OrganizationsPart`, registered in settings.EXCEL_SHEETS; the framework is excel/). How a sheet
is added: docs/import.md "Adding a sheet".
"""

from __future__ import annotations

import datetime as dt
import gc

from django.core.exceptions import PermissionDenied

from grassroots.accounts.access import require_role, sees_everything, units_ever_visible
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor, record
from grassroots.bulkload.loader import BulkLoader, UnitSpec, VersionSpec
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.derived.closure import rebuild_closure
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, DECISION, Column, Sheet, codes, sheet_by_name

from .models import (
    ALLOWED_PARENTS,
    GRASSROOTS_KINDS,
    ChangeAction,
    GrassrootsType,
    Kind,
    Unit,
    UnitChange,
    UnitVersion,
)
from .sheet_changes import ChangeRows, U, V
from .tree import VersionRow, compute_ancestry

KINDS = codes("Cấp tổ chức", Kind.choices)
TYPES = codes("Loại hình", GrassrootsType.choices)
ACTIONS = codes("Thay đổi", ChangeAction.choices, exclude=(ChangeAction.ESTABLISH,))

ORGANIZATIONS = Sheet(
    kind="organizations",
    name="Tổ chức đảng",
    key="Mã tổ chức",
    help="Mỗi dòng là một tổ chức đảng như khi được thành lập. Các thay đổi về sau (đổi tên, "
    "chuyển trực thuộc, sáp nhập, giải thể...) ghi ở sheet Thay đổi tổ chức.",
    columns=(
        Column(
            "code",
            "Mã tổ chức",
            required=True,
            help="Mã duy nhất, không phân biệt chữ hoa/thường.",
            width=14,
        ),
        Column("name", "Tên tổ chức", required=True, width=40),
        Column("kind", "Cấp tổ chức", CODE, required=True, codes=KINDS, width=30),
        Column(
            "grassroots_type",
            "Loại hình",
            CODE,
            codes=TYPES,
            help="Bắt buộc với đảng bộ cơ sở và chi bộ cơ sở; chi bộ trực thuộc lấy theo cấp trên.",
            width=28,
        ),
        Column("parent", "Mã tổ chức cấp trên", help="Để trống với đảng bộ tỉnh.", width=14),
        Column("established", "Ngày thành lập", DATE, required=True, width=14),
        *DECISION,
    ),
    examples=(
        ("LS", "Đảng bộ tỉnh Lạng Sơn", "Đảng bộ tỉnh", "", "", "01/01/2000", "", "", ""),
        (
            "LS-DL",
            "Đảng bộ huyện Đình Lập",
            "Đảng bộ cấp huyện, trực thuộc tỉnh",
            "",
            "LS",
            "01/01/2000",
            "",
            "",
            "",
        ),
        (
            "LS-DL-01",
            "Chi bộ xã Bắc Xa",
            "Chi bộ cơ sở",
            "Xã, phường, thị trấn, đặc khu",
            "LS-DL",
            "01/01/2000",
            "12-QĐ/HU",
            "20/12/1999",
            "Huyện ủy Đình Lập",
        ),
    ),
)


CHANGES = Sheet(
    kind="changes",
    name="Thay đổi tổ chức",
    key="Mã tổ chức + Thay đổi + Ngày hiệu lực",
    help="Mỗi dòng là một quyết định thay đổi một tổ chức; thứ tự các dòng không quan trọng. Sáp nhập và giải thể kết "
    "thúc tổ chức; việc chuyển đảng viên theo sắp xếp ghi ở sheet Sự kiện đảng viên "
    "(sự kiện “Chuyển theo sắp xếp tổ chức”), việc chuyển tổ chức trực thuộc ghi bằng dòng “Chuyển trực thuộc”.",
    columns=(
        Column("code", "Mã tổ chức", required=True, width=14),
        Column("action", "Thay đổi", CODE, required=True, codes=ACTIONS, width=24),
        Column("date", "Ngày hiệu lực", DATE, required=True, width=14),
        Column("name", "Tên mới", help="Với Đổi tên.", width=36),
        Column(
            "kind", "Cấp tổ chức mới", CODE, codes=KINDS, help="Với Thay đổi cấp tổ chức.", width=30
        ),
        Column("grassroots_type", "Loại hình mới", CODE, codes=TYPES, width=28),
        Column("parent", "Mã cấp trên mới", help="Với Chuyển trực thuộc.", width=14),
        Column("target", "Mã tổ chức nhận sáp nhập", help="Với Sáp nhập.", width=14),
        *DECISION,
        Column("note", "Ghi chú", width=30),
        Column(
            "new_cell_code",
            "Mã chi bộ nhận đảng viên",
            help="Với Thay đổi cấp tổ chức của một chi bộ còn đảng viên thành đảng bộ: chi bộ trực "
            "thuộc mới được lập cùng ngày để nhận đảng viên.",
            width=16,
        ),
        Column("new_cell_name", "Tên chi bộ nhận đảng viên", width=30),
        Column(
            "parts",
            "Mã các tổ chức tách ra",
            help="Với Chia tách (trong kế hoạch sắp xếp): mã các tổ chức mới, cách nhau bằng dấu "
            "chấm phẩy; tên, cấp và loại hình của từng tổ chức ghi ở sheet Tổ chức đảng với ngày "
            "thành lập là ngày chia tách. Đảng viên theo dòng “Chuyển theo sắp xếp tổ chức”, tổ "
            "chức trực thuộc theo dòng “Chuyển trực thuộc” vào tổ chức mới; phần không ghi về tổ "
            "chức đầu tiên.",
            width=24,
        ),
    ),
    examples=(
        (
            "LS-DL-01",
            "Đổi tên",
            "01/06/2010",
            "Chi bộ xã Bắc Xa mới",
            "",
            "",
            "",
            "",
            "30-QĐ/HU",
            "20/05/2010",
            "Huyện ủy Đình Lập",
            "",
        ),
    ),
)


class OrganizationsPart(ChangeRows, Part):
    """The sheets "Tổ chức đảng" and "Thay đổi tổ chức": the tree as it was established and
    changed, checked by the rules of organizations.services (ALLOWED_PARENTS, lifetimes, no
    cycles) and written in bulk (bulkload.loader) or, for organizations that exist, through the
    services. Later parts look organizations up here (`code`, `units`, `alive`)."""

    sheets = (ORGANIZATIONS, CHANGES)
    CHANGES, ORGANIZATIONS = CHANGES, ORGANIZATIONS  # for the ChangeRows mixin

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.units: dict[str, U] = {}  # every unit known: database and file, by upper-case code
        self.db_units: dict[str, U] = {}
        self.new_units: list[str] = []
        self.unit_updates: list[tuple[Row, dict]] = []
        self.new_changes: list[tuple[str, Row]] = []
        self.visible: set[int] | None = None
        self.hidden_codes: set[str] = set()
        self.loader = None
        self.deferred_units: list[str] = []

    def check(self) -> None:
        self.visible = self._visible_codes()
        self._load_units()
        self._check_organizations()
        self._check_changes()
        self._check_role()
        self._check_tree()

    def _check_role(self) -> None:
        """Establishing and changing organizations is for approvers, through every door
        (issue 20 §2): a clerk's file with such rows is refused row by row."""
        if self.user is None:
            return
        try:
            require_role(self.user, Role.APPROVER)
        except PermissionDenied:
            pass
        else:
            return
        message = "thành lập và thay đổi tổ chức cần vai trò Người phê duyệt."
        for key in self.new_units:
            self.problem(ORGANIZATIONS, self.units[key].row, ORGANIZATIONS.header("code"), message)
        for row in self.rows_of(CHANGES):
            self.problem(CHANGES, row.number, CHANGES.header("action"), message)

    @property
    def has_writes(self) -> bool:
        return bool(self.new_units or self.new_changes or self.unit_updates)

    @property
    def service_updates(self) -> bool:
        return bool(self.unit_updates)

    def _visible_codes(self) -> set[int] | None:
        if self.user is None:
            return None
        if sees_everything(self.user):
            return None
        return set(units_ever_visible(self.user).values_list("pk", flat=True))

    def _load_units(self) -> None:
        codes = {}
        for pk, code, established, ended in Unit.objects.values_list(
            "pk", "code", "established", "ended"
        ):
            if self.visible is not None and pk not in self.visible:
                self.hidden_codes.add(code.upper())
                continue
            codes[pk] = code
            self.db_units[code.upper()] = U(code, established, ended, [], pk=pk)
        rows = UnitVersion.objects.order_by("unit_id", "valid_from").values_list(
            "unit_id", "valid_from", "valid_to", "name", "kind", "grassroots_type", "parent_id"
        )
        for unit_id, start, end, name, kind, gtype, parent_id in rows.iterator(chunk_size=20000):
            if unit_id not in codes:
                continue
            parent = (
                Unit.objects.get(pk=parent_id).code
                if parent_id and parent_id not in codes
                else codes.get(parent_id)
            )
            self.db_units[codes[unit_id].upper()].versions.append(
                V(start, end, name, kind, gtype, parent)
            )
        self.units = dict(self.db_units)

    def code(self, text: str | None) -> str | None:
        """The canonical code of a known unit (case-insensitive), or None."""
        if not text:
            return None
        unit = self.units.get(text.upper())
        return unit.code if unit else None

    def _check_organizations(self) -> None:
        sheet = ORGANIZATIONS
        seen: dict[str, int] = {}
        for row in self.rows_of(sheet):
            v = row.values
            if "code" not in v:
                continue
            key = v["code"].upper()
            if key in seen:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("code"),
                    f"mã tổ chức {v['code']} trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            code_problem = limits.code_problem(key, "Mã tổ chức")  # issue 20 §13
            if code_problem and key not in self.db_units:
                self.problem(sheet, row.number, sheet.header("code"), code_problem)
                continue
            if not {"name", "kind", "established"} <= set(v):
                continue
            if v["kind"] in GRASSROOTS_KINDS and not v.get("grassroots_type"):
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("grassroots_type"),
                    "Cần chọn loại hình tổ chức cơ sở đảng.",
                )
            existing = self.db_units.get(key)
            decision = (
                v.get("decision_number", ""),
                v.get("decision_date"),
                v.get("issuing_body", ""),
            )
            if existing is not None:
                first = existing.versions[0] if existing.versions else None
                wanted = {
                    "name": v["name"],
                    "kind": v["kind"],
                    "parent": (v.get("parent") or "").upper() or None,
                    "established": v["established"],
                }
                have = {
                    "name": first.name if first else None,
                    "kind": first.kind if first else None,
                    "parent": (first.parent or "").upper() or None if first else None,
                    "established": existing.established,
                }
                if v.get("grassroots_type"):
                    wanted["grassroots_type"] = v["grassroots_type"]
                    have["grassroots_type"] = first.grassroots_type if first else None
                differs = [name for name in wanted if wanted[name] != have[name]]
                for name in differs:
                    shown = have[name]
                    shown = (
                        vn(shown)
                        if isinstance(shown, dt.date)
                        else KINDS.label(shown)
                        if name == "kind"
                        else shown
                    )
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header(name),
                        f"tổ chức {existing.code} đã có trong hệ thống với giá trị “{shown or ''}”. "
                        "Thay đổi về sau hãy ghi ở sheet Thay đổi tổ chức.",
                    )
                if not differs:
                    self.report.count(sheet, "unchanged")
                continue
            if key in self.hidden_codes:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("code"),
                    f"mã tổ chức {v['code']} đã được dùng cho một tổ chức ngoài phạm vi của tài khoản.",
                )
                continue
            code = v["code"].upper()
            self.units[key] = U(
                code,
                v["established"],
                None,
                [
                    V(
                        v["established"],
                        None,
                        v["name"],
                        v["kind"],
                        v.get("grassroots_type", ""),
                        v.get("parent"),
                        (sheet.name, row.number, sheet.header("parent")),
                    )
                ],
                row=row.number,
                decision=decision,
            )
            self.new_units.append(key)
            self.report.count(sheet, "created")

    def alive(self, unit: U, day: dt.date) -> bool:
        return unit.established <= day and (unit.ended is None or day < unit.ended)

    def version_on(self, unit: U, day: dt.date) -> V | None:
        for v in unit.versions:
            if v.valid_from <= day and (v.valid_to is None or day < v.valid_to):
                return v
        return None

    def _check_tree(self) -> None:
        """Each new version's parent: known, alive for the whole version, of an allowed kind
        (ALLOWED_PARENTS), and no cycles (compute_ancestry)."""
        for key in self.new_units:
            unit = self.units[key]
            for version in unit.versions:
                sheet_name, row_number, column = version.source
                sheet = sheet_by_name(sheet_name)
                allowed = ALLOWED_PARENTS[Kind(version.kind)]
                label = Kind(version.kind).label
                if not version.parent:
                    if None not in allowed:
                        self.problem(
                            sheet,
                            row_number,
                            column,
                            f"{label} phải trực thuộc một tổ chức cấp trên.",
                        )
                    continue
                parent = self.units.get(version.parent.upper())
                if parent is None:
                    self.problem(
                        sheet, row_number, column, f"không có tổ chức mã {version.parent}."
                    )
                    continue
                version.parent = parent.code
                start, end = version.valid_from, version.valid_to
                if not self.alive(parent, start):
                    self.problem(
                        sheet,
                        row_number,
                        column,
                        f"Tổ chức cấp trên {parent.code} không tồn tại vào ngày {vn(start)}.",
                    )
                    continue
                if parent.ended is not None and (end is None or end > parent.ended):
                    self.problem(
                        sheet,
                        row_number,
                        column,
                        f"tổ chức cấp trên {parent.code} kết thúc ngày {vn(parent.ended)} trong khi {unit.code} "
                        "vẫn trực thuộc: cần ghi “Chuyển trực thuộc” hoặc kết thúc {unit.code} trước ngày đó.",
                    )
                for pv in parent.versions:
                    if pv.valid_from < (end or dt.date.max) and (
                        pv.valid_to is None or pv.valid_to > start
                    ):
                        if pv.kind not in allowed:
                            self.problem(
                                sheet,
                                row_number,
                                column,
                                f"{label} không thể trực thuộc {Kind(pv.kind).label.lower()} ({parent.code}).",
                            )
                            break
                if not version.grassroots_type:
                    pv = self.version_on(parent, start)
                    version.grassroots_type = (
                        pv.grassroots_type if pv else ""
                    )  # cells inherit the type
        if self.report.problems:
            return
        rows = [
            VersionRow(u.code, v.parent, v.valid_from, v.valid_to)
            for u in self.units.values()
            for v in u.versions
        ]
        try:
            compute_ancestry(rows)
        except ValueError:
            self.problem(
                ORGANIZATIONS,
                None,
                ORGANIZATIONS.header("parent"),
                "các tổ chức trực thuộc lẫn nhau: không thể tạo vòng lặp trong cây tổ chức.",
            )

    def bulk_loader(self) -> BulkLoader:
        """The one loader of the import (organizations and members), made when first needed."""
        if self.loader is None:
            expected = sum(part.bulk_members for part in self.importer.parts)
            self.loader = BulkLoader(batch_size=5000, expected_members=expected)
        return self.loader

    def _defer_new_units(self) -> None:
        """New organizations under an organization that this file changes (a chi bộ trực thuộc
        under a cell becoming a đảng bộ) are established with those changes, through the
        services, in dependency order (issue 12 edge case 4), not by the bulk loader before them."""
        updated = {info["unit"].upper() for _, info in self.unit_updates}
        changed = {code.upper() for code, _ in self.new_changes}
        self.deferred_units = [
            key
            for key in self.new_units
            if len(self.units[key].versions) == 1
            and (self.units[key].versions[0].parent or "").upper() in updated
            and key not in changed
        ]
        if self.deferred_units:
            deferred = set(self.deferred_units)
            self.new_units = [key for key in self.new_units if key not in deferred]

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        self._defer_new_units()
        if self.new_units:
            loader = self.bulk_loader()
            self.progress("Ghi tổ chức", 0, len(self.new_units))
            specs = []
            for key in self.new_units:
                u = self.units[key]
                specs.append(
                    UnitSpec(
                        u.code,
                        u.established,
                        u.ended,
                        [
                            VersionSpec(
                                v.valid_from,
                                v.valid_to,
                                v.name,
                                v.kind,
                                v.grassroots_type,
                                v.parent,
                            )
                            for v in u.versions
                        ],
                    )
                )
            loader.add_units(specs)
            self._write_unit_changes(loader.unit_ids)
            for key in self.new_units:
                u = self.units[key]
                first = u.versions[0]
                audits.append(
                    self.audit(
                        actor,
                        "unit",
                        loader.unit_ids[u.code],
                        f"{first.name} ({u.code})",
                        "create",
                        {
                            "code": [None, u.code],
                            "name": [None, first.name],
                            "kind": [None, first.kind],
                            "parent": [None, first.parent],
                            "established": [None, u.established.isoformat()],
                            "versions": [None, len(u.versions)],
                        },
                    )
                )
            if any(part.service_updates for part in self.importer.parts):
                rebuild_closure(None)  # the services below read the closure
        if self.unit_updates:
            self._apply_unit_updates(actor)

    def finish(self, actor: Actor) -> None:
        """The derived data of a bulk load (ledger, closure, name index) rebuilt once; otherwise
        one record describing the whole import (the services wrote their own)."""
        if self.loader is not None:
            self.loader.flush()
            gc.collect()
            self.progress("Tính lại số liệu", 0, 1)
            self.loader.finish(
                actor=actor,
                label=f"Nhập Excel: {self.importer.name}",
                progress=lambda done, total: self.progress("Tính lại số liệu", done, total),
            )
        elif self.importer.has_writes:
            record(
                actor,
                obj=Unit.objects.order_by("pk").first(),
                action="import",
                changes={"counts": [None, self.report.counts]},
                reason=f"Nhập Excel: {self.importer.name}",
                object_type="dataset",
            )

    def _write_unit_changes(self, unit_ids: dict[str, int]) -> None:
        rows = []
        for key in self.new_units:
            u = self.units[key]
            number, date, body = u.decision
            rows.append(
                UnitChange(
                    unit_id=unit_ids[u.code],
                    action=ChangeAction.ESTABLISH,
                    date=u.established,
                    decision_number=number,
                    decision_date=date,
                    issuing_body=body,
                    note="Nhập từ Excel",
                )
            )
        for code, row in self.new_changes:
            v = row.values
            details = {"merged_into": self.code(v["target"])} if v.get("target") else {}
            rows.append(
                UnitChange(
                    unit_id=unit_ids[code],
                    action=v["action"],
                    date=v["date"],
                    decision_number=v.get("decision_number", ""),
                    decision_date=v.get("decision_date"),
                    issuing_body=v.get("issuing_body", ""),
                    note=v.get("note", ""),
                    details=details,
                )
            )
        UnitChange.objects.bulk_create(rows, batch_size=5000)


PART = OrganizationsPart
