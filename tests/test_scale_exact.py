"""Exactness at scale: on a generated country, the ledger gives the reference's figures.

The generator's histories (admissions since 1950, transfers, restructures of dissolved cells,
the 2025 reorganization moving every commune cell to a new commune and province, exemptions,
deaths, removals, re-admissions) go through the bulk loader and the full ledger rebuild; the
reference replays the raw events day by day over the tree of unit versions.
"""

import datetime as dt
import random

import pytest

from grassroots.members.models import Member, MemberEvent
from grassroots.organizations.models import Kind, Unit, UnitVersion
from grassroots.scale.national import REFORM, TODAY
from grassroots.scale.runs import generate

from . import reference as reference_module
from .reference import fast, reference

pytestmark = pytest.mark.django_db

MEMBERS = 2000


class _Events:
    def __init__(self, rows):
        self.rows = rows

    def filter(self, **kwargs):
        assert kwargs == {"voided_at__isnull": True}
        return [e for e in self.rows if e.voided_at is None]


class _Member:
    def __init__(self, pk, rows):
        self.pk, self.events = pk, _Events(rows)


class _Members:
    """Stands in for `Member.objects` in the reference: the same rows, read once instead of per call."""

    def __init__(self):
        rows = {}
        for event in MemberEvent.objects.order_by("member_id", "id"):
            rows.setdefault(event.member_id, []).append(event)
        self.members = [
            _Member(pk, rows.get(pk, [])) for pk in Member.objects.values_list("pk", flat=True)
        ]

    def all(self):
        return self.members


@pytest.fixture
def country(monkeypatch):
    counts = generate(MEMBERS, seed=7)
    assert counts["members"] == MEMBERS
    # The reference reads every member's events on each call (N+1); at a few thousand members
    # that, not its arithmetic, is what is slow. Read the same rows once for the whole test.
    versions = list(UnitVersion.objects.all())
    monkeypatch.setattr(reference_module, "_versions", lambda: versions)
    monkeypatch.setattr(reference_module, "Member", type("M", (), {"objects": _Members()}))
    return counts


def _random_targets(rng, n):
    by_kind = {}
    for unit_id, kind in UnitVersion.objects.values_list("unit_id", "kind"):
        by_kind.setdefault(kind, set()).add(unit_id)
    units = Unit.objects.in_bulk()
    kinds = [k for k in Kind.values if k in by_kind]
    out = []
    for i in range(n):
        unit = units[rng.choice(sorted(by_kind[kinds[i % len(kinds)]]))]
        lo = max(dt.date(1990, 1, 1), unit.established).toordinal()
        hi = min(TODAY, unit.ended or TODAY).toordinal()
        out.append((unit, dt.date.fromordinal(rng.randint(lo, max(lo, hi)))))
    return out


def test_ledger_equals_reference_for_random_organizations_and_dates(country):
    # the dataset has the 2025 reorganization and moves of members
    assert country["stints"] > MEMBERS
    assert UnitVersion.objects.filter(kind=Kind.PROVINCE, valid_to=REFORM).exists()
    assert UnitVersion.objects.filter(kind=Kind.PROVINCE, valid_from=REFORM).exists()
    assert Unit.objects.filter(code__startswith="N-NX").exists()
    assert Unit.objects.filter(code__startswith="N-X", ended=REFORM).exists()
    rng = random.Random(11)
    checked = 0
    for unit, at in _random_targets(rng, 40):
        assert fast(unit, at) == reference(unit, at), (unit.code, at)
        checked += 1
    # around the 2025 reorganization, where every commune cell moves
    nation = Unit.objects.get(code="N")
    for at in (REFORM - dt.timedelta(days=1), REFORM):
        assert fast(nation, at) == reference(nation, at)
    # flows between two dates are the expensive part of the reference: a few, across the reform
    for unit, at in _random_targets(rng, 8):
        since = max(unit.established, at - dt.timedelta(days=rng.randint(200, 4000)))
        assert fast(unit, at, since) == reference(unit, at, since), (unit.code, since, at)
        checked += 1
    assert checked == 48


def test_name_search_equals_the_rule_on_a_generated_country(country):
    """The name index (bulk-built) finds, for users of random organizations (legacy provinces,
    new provinces, districts, communes), exactly the visible members the slow rule finds."""
    from grassroots.accounts import access
    from grassroots.accounts.models import Role, User
    from grassroots.core.text import fold

    rng = random.Random(12)
    names = sorted(Member.objects.values_list("search_name", flat=True))
    scopes = [unit for unit, _ in _random_targets(rng, 25)] + [Unit.objects.get(code="N")]
    for i, scope in enumerate(scopes):
        user = User.objects.create_user(f"s{i}", scope=scope, role=Role.VIEWER)
        visible = list(access.members_visible(user).values_list("search_name", "pk"))
        for text in rng.sample(names, 2) + [rng.choice(names).split()[-1]]:
            typed = fold(text).split()[-2:]  # as typed: the last words, say "van an"
            want = sorted(
                pk
                for name, pk in visible
                if all(any(w.startswith(t) for w in name.split()) for t in typed)
            )
            got = sorted(m.pk for m in access.find_members(user, " ".join(typed)).members)
            assert got == want, (scope.code, typed)
