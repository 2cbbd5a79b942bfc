"""The demo province's 2025 reorganization as plans (run by the demo command after the build).

The demo writes its tree in bulk (demo/build.py), so the changes of 01/07/2025 are already in the
registry as `UnitChange` rows with their decisions. Here they are recorded as applied plans, one
per province-level decision as the provinces made them in 2025 (HD 31-HD/BTCTW, domain.md §1.3):
one for each new commune (its establishment, the old communes merged into it, the cells and
organizations moved under it) and one for the rest (district committees ended, organizations of
the blocs moved). Each plan links the `UnitChange` rows it groups (`Plan.summary`), so its page
shows the same changes and what they did (the figures the day before against the day)."""

from __future__ import annotations

import datetime as dt

from grassroots.audit.models import Source as AuditSource
from grassroots.audit.services import Actor
from grassroots.demo.model import REORG
from grassroots.organizations.models import (
    GRASSROOTS_KINDS,
    ChangeAction,
    Unit,
    UnitAncestry,
    UnitChange,
    UnitVersion,
)
from grassroots.organizations.queries import on

from . import services
from .models import Plan, Source


def _top(code_parent: dict[str, str | None], code: str, root: str) -> str | None:
    """The organization directly under `root` that holds `code` (None when outside)."""
    seen = 0
    while code is not None and seen < 64:
        parent = code_parent.get(code)
        if parent == root:
            return code
        code, seen = parent, seen + 1
    return None


def seed_demo_plans(province: str = "LS", day: dt.date = REORG) -> dict:
    """Record the day's changes under `province` as applied plans; skipped if already done."""
    root = Unit.objects.get(code=province)
    if Plan.objects.filter(source=Source.DEMO, scope=root, effective_date=day).exists():
        return {"plans": 0, "changes": 0}
    under = UnitAncestry.objects.filter(ancestor=root).values("descendant_id")
    changes = list(
        UnitChange.objects.filter(date=day, unit_id__in=under)
        .select_related("unit")
        .prefetch_related("related_units")
        .order_by("id")
    )
    versions = UnitVersion.objects.filter(on(day)).select_related("unit", "parent")
    code_parent = {v.unit.code: (v.parent.code if v.parent else None) for v in versions}
    new = {
        v.unit.code: v.name
        for v in versions
        if v.valid_from == day and v.parent_id == root.pk and v.kind in GRASSROOTS_KINDS
    }
    groups: dict[str, list[UnitChange]] = {}
    for uc in changes:
        code = uc.unit.code
        if uc.action == ChangeAction.MERGE and uc.related_units.all():
            code = uc.related_units.all()[0].code
        top = _top(code_parent, code, province) if code != province else None
        groups.setdefault(top if top in new else "", []).append(uc)
    actor = Actor(None, AuditSource.CLI)
    label = day.strftime("%d/%m/%Y")
    made = 0
    for top in sorted(groups, key=lambda t: (t == "", t)):
        name = (
            f"Sắp xếp tổ chức {label}: {new[top]}"
            if top
            else f"Sắp xếp tổ chức {label}: kết thúc hoạt động đảng bộ cấp huyện, "
            "sắp xếp tổ chức trực thuộc tỉnh"
        )
        services.plan_record_applied(
            actor=actor,
            name=name,
            scope=root,
            unit_changes=groups[top],
            source=Source.DEMO,
            source_name="demo",
        )
        made += 1
    return {"plans": made, "changes": len(changes)}
