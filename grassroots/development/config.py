"""The dated rule values and public holidays, read from the database."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .models import Holiday, RuleSet
from .rules import Rules

_FIELDS = {f.name for f in dataclasses.fields(Rules)} - {"code"}


def rules_on(day: dt.date) -> Rules:
    """The rule set in force on `day` (the latest effective on or before it)."""
    rule_set = RuleSet.objects.filter(effective__lte=day).order_by("-effective").first()
    if rule_set is None:
        rule_set = RuleSet.objects.order_by("effective").first()
    if rule_set is None:
        return Rules()
    values = {v.key: v.value for v in rule_set.values.all() if v.key in _FIELDS}
    return Rules(code=rule_set.code, **values)


def holidays() -> frozenset[dt.date]:
    return frozenset(Holiday.objects.values_list("date", flat=True))


def unconfirmed(day: dt.date) -> set[str]:
    rule_set = RuleSet.objects.filter(effective__lte=day).order_by("-effective").first()
    if rule_set is None:
        return set()
    return set(rule_set.values.filter(confirmed=False).values_list("key", flat=True))


def ensure_seeded() -> bool:
    """Put the seeded rule sets and holidays back after anything that emptied the tables without
    migrating (`flush`, `grassroots demo --force`). Returns True when it seeded."""
    from importlib import import_module

    from django.apps import apps

    if RuleSet.objects.exists():
        return False
    import_module("grassroots.development.migrations.0002_seed_rules").seed(apps, None)
    return True
