"""Builders that go through the real services, so tests exercise the same path as users."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from grassroots.audit.services import Actor
from grassroots.members import services as members
from grassroots.members.models import Gender
from grassroots.organizations import services as orgs
from grassroots.organizations.models import GrassrootsType, Kind

SYSTEM = Actor.system()
_numbers = itertools.count(1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def unit(
    code: str,
    kind: str,
    parent=None,
    date: str = "2000-01-01",
    name: str | None = None,
    type: str = "",
):
    if not type and kind in (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL):
        type = GrassrootsType.COMMUNE
    return orgs.unit_establish(
        actor=SYSTEM,
        code=code,
        name=name or f"Tổ chức {code}",
        kind=kind,
        date=d(date),
        parent=parent,
        grassroots_type=type,
    )


class ProfileFactory(factory.DictFactory):
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    gender = Gender.MALE
    birth_date = dt.date(1970, 1, 1)
    profile_number = factory.Sequence(lambda n: f"{n:06d}LS")


def admit(cell, ceremony: str, decision: str | None = None, **profile):
    data = ProfileFactory(**profile)
    ceremony_date = d(ceremony)
    return members.member_admit(
        actor=SYSTEM,
        unit=cell,
        ceremony_date=ceremony_date,
        decision_date=d(decision) if decision else ceremony_date - dt.timedelta(days=10),
        **data,
    )


def event(member, kind: str, date: str | None = None, unit=None, **kwargs):
    return members.member_record_event(
        actor=SYSTEM, member=member, kind=kind, date=d(date) if date else None, unit=unit, **kwargs
    )
