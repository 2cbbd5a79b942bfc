"""Writing the demo plan into the database through the bulk loader.

Only raw facts are written: units with dated versions and decisions, members with dated events,
villages with their arrangements, population. Stints, the closure and the figures ledger are
derived by `core.bulkload` exactly as for any other load.
"""

from __future__ import annotations

import gc
import sys
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from grassroots.accounts.models import Role, User
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.bulkload.loader import BulkLoader, MemberSpec, UnitSpec, VersionSpec
from grassroots.organizations.models import Unit, UnitChange
from grassroots.territory.models import Population, Village, VillageVersion

from .model import GRASSROOTS, decision_suffix
from .plan import Plan, make_plan

DEFAULT_SEED = 2008
PASSWORD = "Grassroots@2026"
PROVINCE = "LS"
NEW_COMMUNE = "LS-XM06613"
# Demo personas (notes/CONTEXT.md): username → (role, scope code, is_staff).
PERSONAS = {
    "admin_ls": (Role.ADMIN, "LS", True),
    "canbo_dinhlap": (Role.CLERK, "LS-H189", False),
    "xem_xa": (Role.VIEWER, "LS-X06613", False),
    # The commune of Đình Lập as it exists since 01/07/2025 (successor of LS-X06613): accounts
    # that can write today, and whose view of older records begins on that day (issue 20).
    "xa_xem": (Role.VIEWER, NEW_COMMUNE, False),
    "xa_canbo": (Role.CLERK, NEW_COMMUNE, False),
    "xa_duyet": (Role.APPROVER, NEW_COMMUNE, False),
    "xa_quantri": (Role.ADMIN, NEW_COMMUNE, False),
    # The province's inspection commission (UBKT): the only demo account besides the superuser
    # that sees case content (inspection/access.py), so its pages can be tried and timed.
    "kiemtra_ls": (Role.CLERK, "LS", False),
}
INSPECTORS = {"kiemtra_ls"}


def demo_exists() -> bool:
    return Unit.objects.filter(code=PROVINCE).exists()


def _bar(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, disable=not enabled, unit=" ", leave=False)


def unit_specs(plan: Plan) -> list[UnitSpec]:
    specs = []
    for unit in plan.units.values():
        versions = [
            VersionSpec(
                v.start, v.end, v.name, v.kind, v.gtype if v.kind in GRASSROOTS else "", v.parent
            )
            for v in unit.versions
        ]
        specs.append(UnitSpec(unit.code, unit.established, unit.ended, versions))
    return specs


def _changes(plan: Plan, ids: dict[str, int]) -> int:
    numbers: dict[tuple[str, int], int] = {}
    rows, related = [], []
    for change in plan.changes:
        key = (change.issuing_body, change.date.year)
        numbers[key] = numbers.get(key, 0) + 1
        suffix = decision_suffix(change.issuing_body)
        rows.append(
            UnitChange(
                unit_id=ids[change.unit],
                action=change.action,
                date=change.date,
                decision_number=f"{numbers[key]}-QĐ/{suffix}",
                decision_date=change.date,
                issuing_body=change.issuing_body,
                note=change.note,
            )
        )
        related.append(change.related)
    UnitChange.objects.bulk_create(rows, batch_size=2000)
    through = UnitChange.related_units.through
    links = [
        through(unitchange_id=row.pk, unit_id=ids[code])
        for row, codes in zip(rows, related, strict=True)
        for code in codes
        if code in ids
    ]
    through.objects.bulk_create(links, batch_size=2000)
    return len(rows)


def _territory(plan: Plan, ids: dict[str, int]) -> tuple[int, int, int]:
    villages = {v.code: Village(code=v.code, name=v.name, kind=v.kind) for v in plan.villages}
    Village.objects.bulk_create(villages.values(), batch_size=2000)
    versions = [
        VillageVersion(
            village_id=villages[village.code].pk,
            valid_from=start,
            valid_to=end,
            unit_id=ids[unit],
            arrangement=arrangement,
            cell_id=ids[cell] if cell else None,
        )
        for village, start, end, unit, arrangement, cell in plan.village_versions()
    ]
    VillageVersion.objects.bulk_create(versions, batch_size=2000)
    populations = [
        Population(unit_id=ids[code], year=year, population=value)
        for (code, year), value in plan.populations.items()
    ]
    Population.objects.bulk_create(populations, batch_size=2000)
    return len(villages), len(versions), len(populations)


def personas() -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts; returns (username, role, scope) rows to print."""
    rows = []
    hashed = make_password(PASSWORD)  # hashing is slow on purpose (argon2): once for all accounts
    if not User.objects.filter(username="admin").exists():
        admin = User(
            username="admin", is_staff=True, is_superuser=True, role=Role.ADMIN, password=hashed
        )
        admin.save()
    rows.append(("admin", "superuser", "—"))
    for username, (role, scope_code, staff) in PERSONAS.items():
        scope = (
            Unit.objects.get(code=scope_code)
            if Unit.objects.filter(code=scope_code).exists()
            else None
        )
        if scope is None and scope_code == NEW_COMMUNE:  # small builds: any 2025 commune
            scope = (
                Unit.objects.filter(code__startswith="LS-XM", ended__isnull=True)
                .exclude(code__contains="-C")
                .order_by("code")
                .first()
            )
        if scope is None:  # small builds may lack the commune; take any commune of Đình Lập
            scope = Unit.objects.filter(code__startswith="LS-X0").order_by("code").first()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
        user.role, user.scope, user.is_staff, user.password = role, scope, staff, hashed
        user.can_inspect = username in INSPECTORS
        user.save()
        rows.append((username, role, scope.code if scope else "—"))
    return rows


def build_demo(seed: int = DEFAULT_SEED, scale: float = 1.0, progress: bool = False) -> dict:
    """Plan the demo province and write it; returns row counts and timings."""
    timings = {}
    t0 = time.monotonic()
    plan = make_plan(seed, scale)
    timings["plan"] = round(time.monotonic() - t0, 1)
    t1 = time.monotonic()
    if connection.vendor == "sqlite" and not connection.in_atomic_block:  # bigger page cache
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA temp_store=MEMORY")
    loader = BulkLoader(batch_size=5000)
    with transaction.atomic():
        loader.add_units(unit_specs(plan))
        ids = loader.unit_ids
        n_changes = _changes(plan, ids)
        n_villages, n_village_versions, n_population = _territory(plan, ids)
        members, plan = plan.members, None  # written members are let go before the ledger is built
        bar = _bar(len(members), "Đảng viên", progress)
        for i, member in enumerate(members):
            members[i] = None
            loader.add_member(MemberSpec(member.profile, member.events))
            bar.update(1)
        loader.flush()
        bar.close()
        gc.collect()
        timings["write"] = round(time.monotonic() - t1, 1)
        t2 = time.monotonic()
        bar = _bar(1, "Sổ cái số liệu", progress)

        def tick(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        counts = loader.finish(
            actor=Actor(None, Source.CLI),
            label=f"demo Lạng Sơn (seed {seed}, scale {scale})",
            progress=tick,
        )
        bar.close()
        timings["derive"] = round(time.monotonic() - t2, 1)
        accounts = personas()
    counts.update(
        changes=n_changes,
        villages=n_villages,
        village_versions=n_village_versions,
        populations=n_population,
    )
    timings["total"] = round(time.monotonic() - t0, 1)
    return {
        "counts": counts,
        "timings": timings,
        "accounts": accounts,
        "seed": seed,
        "scale": scale,
    }
