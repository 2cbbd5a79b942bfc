"""The member profile's education, professional level and political theory as dated facts.

The profile's free-text fields (`Member.education`, `expertise`, `theory_level`) were typed by
clerks with no date. Qualifications (`models.Qualification`) are dated, so the statistics as of
any day read them (`members.structure` through `core.profile_facts`): a member with
qualifications of a kind has, on day D, the highest level obtained by D ("" before the first);
a member with none keeps the typed value (a profile typed after the migration, or a value no
category recognizes). The typed values become qualifications once (`from_profile`: migration
0003 and `grassroots qualifications-from-profile`), dated the member's first event (admission),
with the evidence "chuyển từ hồ sơ"; values that map to no level are reported, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from grassroots.core.profile_facts import register_dated_field
from grassroots.core.text import fold
from grassroots.members import categories

from . import config
from .models import Qualification, QualKind

# profile field → qualification kind
PROFILE_KINDS = {
    "education": QualKind.EDUCATION,
    "expertise": QualKind.PROFESSIONAL,
    "theory_level": QualKind.THEORY,
}
FROM_PROFILE = "chuyển từ hồ sơ"


def level_from_profile(profile_field: str, text: str) -> str | None:
    """The level a typed value stands for; "" for an empty / "none" value; None if unmapped."""
    kind = PROFILE_KINDS[profile_field]
    code = categories.classify(profile_field, text)
    if code == "none":
        return ""
    # domain-processes.md §2.2: cử nhân chính trị is its own level, counted with cao cấp.
    if kind == QualKind.THEORY and code == "senior" and fold(text).startswith("cu nhan"):
        return "bachelor"
    return code if code in config.level_codes(kind) else None


@dataclass
class Plan:
    facts: list[tuple[int, str, str, str, dt.date]] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)  # (profile field, typed value) → members
    undated: int = 0  # members with a value but no event to date it by


def from_profile(rows, have: set[tuple[int, str]]) -> Plan:
    """The qualifications to create from profile rows (member_id, birth_date, first event day,
    education, expertise, theory_level), skipping kinds a member already has (`have`)."""
    plan = Plan()
    for member_id, born, first, *values in rows:
        for (name, kind), text in zip(PROFILE_KINDS.items(), values, strict=True):
            text = (text or "").strip()
            if not text:
                continue
            level = level_from_profile(name, text)
            if level is None:
                plan.unmapped[(name, text)] += 1
            elif level and (member_id, kind) not in have:
                if first is None or (born and first < born):
                    plan.undated += 1
                    continue
                field_text = text if kind == QualKind.PROFESSIONAL else ""
                plan.facts.append((member_id, kind, level, field_text, first))
    return plan


def profile_value(kind: str, level: str, field_text: str = "") -> str:
    """What the profile shows for a level: its label (the professional field kept)."""
    label = config.level_label(kind, level)
    if kind == QualKind.PROFESSIONAL and field_text and fold(field_text) != fold(label):
        text = field_text if fold(field_text).startswith(fold(label)) else f"{label} {field_text}"
        return text[:128]  # Member.expertise's length
    return label


def _timelines(kind: str):
    def provider(member_ids) -> dict[int, list[tuple[dt.date, str]]]:
        rows = (
            Qualification.objects.filter(member_id__in=member_ids, kind=kind, voided_at=None)
            .order_by("member_id", "obtained_on", "id")
            .values_list("member_id", "obtained_on", "level")
        )
        out: dict[int, list] = defaultdict(list)
        best: dict[int, str] = {}
        for member_id, day, level in rows.iterator(chunk_size=10_000):
            have = best.get(member_id)
            if have is None or config.rank(kind, level) > config.rank(kind, have):
                best[member_id] = level
                out[member_id].append((day, config.level_label(kind, level)))
        return out

    return provider


def _level_on(kind: str):
    """The label of the level of `kind` held on `at` by the member of OuterRef("member_id"), as
    `_timelines` + `value_on` give it: of the qualifications obtained by `at`, the highest rank,
    the earliest (obtained_on, id) among equal ranks (cử nhân after cao cấp keeps cao cấp); ""
    when every one is later than `at`; NULL when the member has none (the typed value counts).
    One correlated subquery per counted member, served by the (member, kind, obtained_on) index.
    """

    def expression(at: dt.date):
        levels = config.LEVELS.get(kind, [])
        rank = Case(
            *[When(level=code, then=Value(config.rank(kind, code))) for code, _l in levels],
            default=Value(-1),
            output_field=IntegerField(),
        )
        label = Case(
            *[When(level=code, then=Value(text)) for code, text in levels],
            default=F("level"),  # config.level_label of an unknown code
            output_field=CharField(),
        )
        held = Q(obtained_on__lte=at)
        best = (
            Qualification.objects.filter(member_id=OuterRef("member_id"), kind=kind, voided_at=None)
            .annotate(
                held=Case(When(held, then=Value(1)), default=Value(0), output_field=IntegerField()),
                rank=rank,
                shown=Case(When(held, then=label), default=Value(""), output_field=CharField()),
            )
            .order_by("-held", "-rank", "obtained_on", "id")
            .values("shown")[:1]
        )
        return Subquery(best, output_field=CharField())

    return expression


for _field, _kind in PROFILE_KINDS.items():
    register_dated_field(_field, _timelines(_kind), _level_on(_kind))
