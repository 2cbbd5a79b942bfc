"""What the cadres module reads from the registry (members' stints, the tree on a day)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from grassroots.figures.queries import ledger_at
from grassroots.members.models import MemberStint
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import subtree_ids, version_at


def _stints_on(member_id: int, day: dt.date):
    return MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day), member_id=member_id, start__lte=day
    )


def is_member_on(member_id: int, day: dt.date) -> bool:
    """The person was a party member (counted by some cell) on `day`."""
    return _stints_on(member_id, day).exists()


def in_subtree_on(member_id: int, unit: Unit, day: dt.date) -> bool:
    """The person was counted by a cell of `unit`'s subtree on `day`."""
    return _stints_on(member_id, day).filter(unit_id__in=subtree_ids(unit, day)).exists()


def unit_kind_on(unit: Unit, day: dt.date) -> tuple[str, str]:
    version = version_at(unit, day)
    return (version.kind, version.grassroots_type) if version else ("", "")


def official_members(unit: Unit, day: dt.date) -> int:
    """Official members the organization counts on `day` (the registry's figure, one fact)."""
    return ledger_at(unit.pk, day)["official"]
