"""The statistics page's organizations by kind and grassroots type for every child read at
once (`organizations_by_type_by_unit`) equal the per-unit count (`organizations_by_type`,
include_self), on a generated country with merged and dissolved organizations, at dates before
and after the 2025 reorganization."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.organizations.models import Unit
from grassroots.organizations.queries import (
    children_at,
    organizations_by_type,
    organizations_by_type_by_unit,
)

pytestmark = pytest.mark.django_db


def test_the_batch_count_equals_the_per_unit_count():
    from grassroots.scale.runs import generate

    generate(1500, seed=4)
    compared = 0
    for at in (
        dt.date(2005, 6, 30),
        dt.date(2019, 2, 23),
        dt.date(2025, 6, 30),
        dt.date(2026, 9, 30),
    ):
        for parent in [None, *Unit.objects.filter(code__regex=r"^N-N?P\d+$")[:4]]:
            kids = [v.unit for v in children_at(parent, at)]
            if parent is not None:
                kids.append(parent)  # an ancestor and its descendants in one batch
            batch = organizations_by_type_by_unit(kids, at)
            for unit in kids:
                assert batch[unit.pk] == organizations_by_type(unit, at, include_self=True), (
                    unit.code, at,
                )  # fmt: skip
                compared += sum(batch[unit.pk].values())
    assert compared > 500
