"""What the pipeline's rules need to know from the registry (members, tree, figures)."""

from __future__ import annotations

import datetime as dt

from grassroots.core.dates import FAR_FUTURE
from grassroots.figures.queries import ledger_at
from grassroots.members.models import Member, MemberStint, Status
from grassroots.organizations.models import (
    GRASSROOTS_KINDS,
    MEMBER_KINDS,
    Unit,
    UnitAncestry,
    UnitVersion,
)
from grassroots.organizations.queries import is_under, on, version_at

from .rules import IntroducerFacts


def is_cell_on(unit: Unit, day: dt.date) -> bool:
    version = version_at(unit, day)
    return version is not None and version.kind in MEMBER_KINDS


def grassroots_of(unit: Unit, day: dt.date) -> int | None:
    """The grassroots organization (đảng bộ cơ sở or chi bộ cơ sở) the cell is part of on `day`."""
    ancestors = UnitAncestry.objects.filter(on(day), descendant=unit).values("ancestor_id")
    row = (
        UnitVersion.objects.filter(on(day), unit_id__in=ancestors, kind__in=GRASSROOTS_KINDS)
        .values_list("unit_id", flat=True)
        .first()
    )
    return row


def introducer_facts(member: Member, cell: Unit, day: dt.date) -> IntroducerFacts:
    stints = list(MemberStint.objects.filter(member=member, start__lte=day).order_by("-start"))
    current = next((s for s in stints if (s.end or FAR_FUTURE) > day), None)
    official = current is not None and current.status == Status.OFFICIAL
    grassroots = grassroots_of(cell, day)
    since = None
    if current is not None and grassroots is not None:
        expected_end = None
        for stint in stints:
            if (stint.end or FAR_FUTURE) <= day and stint.end != expected_end:
                break
            last_day = min((stint.end or FAR_FUTURE) - dt.timedelta(days=1), day)
            if not is_under(stint.unit_id, grassroots, last_day):
                break
            since = stint.start
            expected_end = stint.start
    return IntroducerFacts(name=member.full_name, official=official, in_grassroots_since=since)


def official_members(cell: Unit, day: dt.date) -> int:
    """Official members counted by the cell on `day` (the registry's figure, one fact)."""
    return ledger_at(cell.pk, day)["official"]
