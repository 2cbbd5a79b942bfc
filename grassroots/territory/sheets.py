"""The territory sheets of the import workbook: "Thôn, tổ dân phố" (each period of a village)
and "Dân số" (population by organization and year), with their check and writer
(`TerritoryPart`, registered in settings.EXCEL_SHEETS; the framework is excel/). Villages are
looked up within the importing account's scope (issue 20 §3).
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied

from grassroots.accounts.access import READ_ONLY_PAST, require_writable_unit
from grassroots.audit.services import Actor
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, INT, Column, Sheet, codes
from grassroots.organizations.models import Unit
from grassroots.organizations.sheets import OrganizationsPart

from .models import CellArrangement, Population, Village, VillageKind, VillageVersion

VILLAGE_KINDS = codes("Loại thôn", VillageKind.choices)
ARRANGEMENTS = codes("Tình trạng chi bộ", CellArrangement.choices)

VILLAGES = Sheet(
    kind="villages",
    name="Thôn, tổ dân phố",
    key="Mã thôn + Từ ngày",
    help="Mỗi dòng là một giai đoạn của một thôn, bản, tổ dân phố: thuộc tổ chức cơ sở đảng nào và "
    "tình trạng chi bộ. Khi tình trạng thay đổi, thêm một dòng mới cùng mã thôn với “Từ ngày” mới.",
    columns=(
        Column("code", "Mã thôn", required=True, width=14),
        Column("name", "Tên thôn", required=True, width=28),
        Column("kind", "Loại", CODE, required=True, codes=VILLAGE_KINDS, width=14),
        Column(
            "unit",
            "Mã tổ chức cơ sở",
            required=True,
            help="Đảng bộ, chi bộ cơ sở của xã, phường.",
            width=14,
        ),
        Column(
            "arrangement", "Tình trạng chi bộ", CODE, required=True, codes=ARRANGEMENTS, width=22
        ),
        Column("cell", "Mã chi bộ", help="Chi bộ của thôn, hoặc chi bộ sinh hoạt ghép.", width=14),
        Column("valid_from", "Từ ngày", DATE, required=True, width=14),
        Column(
            "valid_to",
            "Đến ngày",
            DATE,
            help="Để trống nếu đến nay (không tính ngày này).",
            width=14,
        ),
    ),
    examples=(
        (
            "DL-BX-01",
            "Thôn Bản Chuông",
            "Thôn",
            "LS-DL-01",
            "Có chi bộ độc lập",
            "",
            "01/01/2000",
            "",
        ),
    ),
)


POPULATION = Sheet(
    kind="population",
    name="Dân số",
    key="Mã tổ chức + Năm",
    help="Dân số của địa bàn một tổ chức (xã, huyện) theo năm.",
    columns=(
        Column("unit", "Mã tổ chức", required=True, width=14),
        Column("year", "Năm", INT, required=True, width=8),
        Column("population", "Dân số", INT, required=True, width=12),
    ),
    examples=(("LS-DL-01", 2019, 4210),),
)


class TerritoryPart(Part):
    sheets = (VILLAGES, POPULATION)

    def __init__(self, importer) -> None:
        super().__init__(importer)
        self.village_writes: list[tuple[str, Row, dict]] = []
        self.population_writes: list[tuple[str, Row, int | None]] = []
        self._writable_units: dict[int, bool] = {}

    @property
    def orgs(self) -> OrganizationsPart:
        return self.part(OrganizationsPart)

    def code(self, text: str | None) -> str | None:
        return self.orgs.code(text)

    def check(self) -> None:
        self._check_villages()
        self._check_population()

    @property
    def has_writes(self) -> bool:
        return bool(self.village_writes or self.population_writes)

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        audits += self._write_villages(actor)
        audits += self._write_population(actor)

    def _writable_unit(self, unit) -> bool:
        """The unit (a `U` or a model) lies in the user's scope today, as in the forms."""
        if self.user is None:
            return True
        pk = unit.pk
        if pk not in self._writable_units:
            model = unit if isinstance(unit, Unit) else Unit.objects.get(pk=pk)
            try:
                require_writable_unit(self.user, model)
                self._writable_units[pk] = True
            except PermissionDenied:
                self._writable_units[pk] = False
        return self._writable_units[pk]

    def _check_villages(self) -> None:
        sheet = VILLAGES
        rows = self.rows_of(sheet)
        if not rows:
            return
        by_code: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            v = row.values
            if not {"code", "name", "kind", "unit", "arrangement", "valid_from"} <= set(v):
                continue
            for name in ("unit", "cell"):
                if v.get(name):
                    unit = self.orgs.units.get(v[name].upper())
                    if unit is None:
                        self.problem(
                            sheet, row.number, sheet.header(name), f"không có tổ chức mã {v[name]}."
                        )
                        break
                    v[name] = unit.code
                    if unit.pk is not None and not self._writable_unit(unit):
                        self.problem(sheet, row.number, sheet.header(name), READ_ONLY_PAST)
                        break
                    if name == "unit" and not self.orgs.alive(unit, v["valid_from"]):
                        self.problem(
                            sheet,
                            row.number,
                            sheet.header("valid_from"),
                            f"Tổ chức {unit.code} không tồn tại vào ngày {vn(v['valid_from'])}.",
                        )
            else:
                if v.get("valid_to") and v["valid_to"] <= v["valid_from"]:
                    self.problem(
                        sheet,
                        row.number,
                        sheet.header("valid_to"),
                        "“Đến ngày” phải sau “Từ ngày”.",
                    )
                    continue
                v["code"] = v["code"].upper()
                code_problem = limits.code_problem(v["code"], "Mã thôn")  # issue 20 §13
                if code_problem:
                    self.problem(sheet, row.number, sheet.header("code"), code_problem)
                    continue
                by_code[v["code"]].append(row)
        existing = {}
        for village in Village.objects.filter(code__in=list(by_code)):
            versions = list(village.versions.select_related("unit", "cell"))
            existing[village.code.upper()] = (village, {vv.valid_from: vv for vv in versions})
            # Villages are looked up inside the user's scope (issue 20 §3): one that never was in
            # it is a taken code, like an organization's; one that was is changed only if all of
            # its history lies in the scope and it is there today.
            if self.orgs.visible is None:
                continue
            seen = [vv for vv in versions if vv.unit_id in self.orgs.visible]
            refusal = None
            if not seen:
                refusal = (
                    f"mã thôn {village.code} đã được dùng cho một thôn ngoài phạm vi của tài khoản."
                )
            elif len(seen) < len(versions) or not self._writable_unit(versions[-1].unit):
                refusal = f"thôn {village.code}: {READ_ONLY_PAST}"
            if refusal:
                for row in by_code.pop(village.code.upper()):
                    self.problem(sheet, row.number, sheet.header("code"), refusal)
        for code, group in by_code.items():
            group.sort(key=lambda r: r.values["valid_from"])
            bad = False
            for a, b in zip(group, group[1:], strict=False):
                if a.values["valid_from"] == b.values["valid_from"]:
                    self.problem(
                        sheet,
                        b.number,
                        sheet.header("valid_from"),
                        f"thôn {code} trùng “Từ ngày” với dòng {a.number}.",
                    )
                    bad = True
                elif (
                    a.values.get("valid_to") is None
                    or a.values["valid_to"] > b.values["valid_from"]
                ):
                    self.problem(
                        sheet,
                        b.number,
                        sheet.header("valid_from"),
                        f"giai đoạn này chồng lên giai đoạn ở dòng {a.number} của thôn {code}.",
                    )
                    bad = True
            if bad:
                continue
            village, versions = existing.get(code, (None, {}))
            for row in group:
                v = row.values
                old = versions.get(v["valid_from"])
                if old is None:
                    self.village_writes.append(("create", row, {}))
                    self.report.count(sheet, "created")
                    continue
                same = (
                    old.unit.code == v["unit"]
                    and old.arrangement == v["arrangement"]
                    and (old.cell.code if old.cell else None) == v.get("cell")
                    and old.valid_to == v.get("valid_to")
                    and village.name == v["name"]
                    and village.kind == v["kind"]
                )
                if same:
                    self.report.count(sheet, "unchanged")
                else:
                    self.village_writes.append(("update", row, {"version": old}))
                    self.report.count(sheet, "updated")

    def _check_population(self) -> None:
        sheet = POPULATION
        seen: dict[tuple, int] = {}
        rows = [r for r in self.rows_of(sheet) if {"unit", "year", "population"} <= set(r.values)]
        existing = {
            (u.upper(), y): p
            for u, y, p in Population.objects.values_list("unit__code", "year", "population")
        }
        for row in rows:
            v = row.values
            unit = self.code(v["unit"])
            if unit is None:
                self.problem(
                    sheet, row.number, sheet.header("unit"), f"không có tổ chức mã {v['unit']}."
                )
                continue
            # Ranges: core/limits.py (issue 20 §13, §14: a 30-digit population overflowed).
            problem = limits.year_problem(v["year"])
            if problem:
                self.problem(sheet, row.number, sheet.header("year"), problem)
                continue
            problem = limits.population_problem(v["population"])
            if problem:
                self.problem(sheet, row.number, sheet.header("population"), problem)
                continue
            key = (unit.upper(), v["year"])
            if key in seen:
                self.problem(
                    sheet,
                    row.number,
                    sheet.header("year"),
                    f"dân số năm {v['year']} của {unit} trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            v["unit"] = unit
            old = existing.get(key)
            if old is None:
                self.population_writes.append(("create", row, None))
                self.report.count(sheet, "created")
            elif old == v["population"]:
                self.report.count(sheet, "unchanged")
            else:
                self.population_writes.append(("update", row, old))
                self.report.count(sheet, "updated")

    def _write_villages(self, actor: Actor) -> list[tuple]:
        out = []
        if not self.village_writes:
            return out
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        villages = {
            v.code.upper(): v
            for v in Village.objects.filter(
                code__in=[row.values["code"] for _, row, _ in self.village_writes]
            )
        }
        for what, row, extra in self.village_writes:
            v = row.values
            village = villages.get(v["code"])
            if village is None:
                village = villages[v["code"]] = Village.objects.create(
                    code=v["code"], name=v["name"], kind=v["kind"]
                )
                out.append(
                    self.audit(
                        actor,
                        "village",
                        village.pk,
                        f"{village.name} ({village.code})",
                        "create",
                        {"name": [None, village.name], "kind": [None, village.kind]},
                    )
                )
            elif (village.name, village.kind) != (v["name"], v["kind"]):
                out.append(
                    self.audit(
                        actor,
                        "village",
                        village.pk,
                        v["name"],
                        "update",
                        {"name": [village.name, v["name"]], "kind": [village.kind, v["kind"]]},
                    )
                )
                village.name, village.kind = v["name"], v["kind"]
                village.save(update_fields=["name", "kind"])
            fields = {
                "valid_to": v.get("valid_to"),
                "unit_id": unit_ids[v["unit"]],
                "arrangement": v["arrangement"],
                "cell_id": unit_ids[v["cell"]] if v.get("cell") else None,
            }
            if what == "create":
                version = VillageVersion.objects.create(
                    village=village, valid_from=v["valid_from"], **fields
                )
                out.append(
                    self.audit(
                        actor,
                        "villageversion",
                        version.pk,
                        village.name,
                        "create",
                        {k: [None, str(x) if x is not None else None] for k, x in fields.items()},
                    )
                )
            else:
                version = extra["version"]
                changes = {
                    k: [str(getattr(version, k)), str(x)]
                    for k, x in fields.items()
                    if getattr(version, k) != x
                }
                for k, x in fields.items():
                    setattr(version, k, x)
                version.save()
                if changes:
                    out.append(
                        self.audit(
                            actor, "villageversion", version.pk, village.name, "update", changes
                        )
                    )
        return out

    def _write_population(self, actor: Actor) -> list[tuple]:
        out = []
        unit_ids = dict(Unit.objects.values_list("code", "pk"))
        for what, row, old in self.population_writes:
            v = row.values
            if what == "create":
                obj = Population.objects.create(
                    unit_id=unit_ids[v["unit"]], year=v["year"], population=v["population"]
                )
            else:
                obj = Population.objects.get(unit_id=unit_ids[v["unit"]], year=v["year"])
                obj.population = v["population"]
                obj.save(update_fields=["population"])
            out.append(
                self.audit(
                    actor,
                    "population",
                    obj.pk,
                    f"{v['unit']} {v['year']}",
                    what,
                    {"population": [old, v["population"]]},
                )
            )
        return out


PART = TerritoryPart
