"""The bulk path (demo, generator, big imports) gives the same figures as the services."""

import pytest
from django.core.exceptions import ValidationError

from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec, UnitSpec, VersionSpec
from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind

from .factories import d
from .reference import fast, reference

pytestmark = pytest.mark.django_db


def _tree(loader):
    loader.add_units(
        [
            UnitSpec(
                "P",
                d("2000-01-01"),
                None,
                [VersionSpec(d("2000-01-01"), None, "Tỉnh", Kind.PROVINCE)],
            ),
            UnitSpec(
                "D",
                d("2000-01-01"),
                d("2025-07-01"),
                [VersionSpec(d("2000-01-01"), d("2025-07-01"), "Huyện", Kind.DISTRICT, parent="P")],
            ),
            UnitSpec(
                "G",
                d("2000-01-01"),
                None,
                [
                    VersionSpec(
                        d("2000-01-01"), d("2025-07-01"), "Xã", Kind.GRASSROOTS_CELL, "commune", "D"
                    ),
                    VersionSpec(
                        d("2025-07-01"), None, "Xã mới", Kind.GRASSROOTS_CELL, "commune", "P"
                    ),
                ],
            ),
            UnitSpec(
                "H",
                d("2000-01-01"),
                None,
                [
                    VersionSpec(
                        d("2000-01-01"), None, "Cơ quan", Kind.GRASSROOTS_CELL, "agency", "P"
                    )
                ],
            ),
        ]
    )


def test_bulk_loaded_history_matches_reference():
    loader = BulkLoader(batch_size=2)
    _tree(loader)
    for i in range(5):
        events = [
            EventSpec(
                EventKind.ADMISSION, d(f"200{i}-05-01"), "G", decision_date=d(f"200{i}-04-20")
            ),
            EventSpec(EventKind.OFFICIAL, d(f"200{i + 1}-05-01")),
        ]
        if i == 1:
            events.append(EventSpec(EventKind.TRANSFER, d("2010-01-01"), "H"))
        if i == 2:
            events.append(EventSpec(EventKind.DEATH, d("2026-01-01")))
        loader.add_member(
            MemberSpec(
                {
                    "full_name": f"Lê Thị {i}",
                    "gender": "F",
                    "birth_date": d("1980-01-01"),
                    "profile_number": f"{i:06d}LS",
                },
                events,
            )
        )
    counts = loader.finish()
    assert counts["members"] == 5 and counts["units"] == 4
    from grassroots.organizations.models import Unit

    for code in "PDGH":
        unit = Unit.objects.get(code=code)
        for at in (d("2005-01-01"), d("2025-06-30"), d("2025-07-01"), d("2026-06-01")):
            assert fast(unit, at) == reference(unit, at)
            assert fast(unit, at, d("2003-01-01")) == reference(unit, at, d("2003-01-01"))


def test_bulk_loader_refuses_impossible_history():
    loader = BulkLoader()
    _tree(loader)
    loader.add_member(
        MemberSpec(
            {
                "full_name": "X",
                "gender": "M",
                "birth_date": d("1980-01-01"),
                "profile_number": "000001LS",
            },
            [EventSpec(EventKind.DEATH, d("2001-01-01"))],
        )
    )
    with pytest.raises(ValidationError):
        loader.flush()
