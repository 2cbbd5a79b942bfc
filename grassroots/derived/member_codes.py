"""The members' stored category codes (`Member.<field>_code`, members.categories), re-derived
from the typed text in bulk: by the data migration that introduced them (the demo and existing
databases) and by `grassroots categories --recode` after a commission changed its lists.

Each distinct typed value is classified once and the members holding it are updated in one
statement per code, so a province's 170,000 members take a few statements per field. Values
that match no category keep their text, get the code "unmapped" and are returned with their
counts: reported, never dropped (issue 18).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone

from grassroots.members import categories as cats
from grassroots.members.models import CategoryCoding, Member

CHUNK = 500  # values per IN list (SQLite's limit on query variables)


def recode(
    member_model=Member, coding_model=CategoryCoding, fields=cats.FIELDS
) -> dict[str, Counter]:
    """Store every member's code of `fields` from the configured lists and record the lists'
    fingerprints; returns {field: Counter(unmapped typed value → members)}. The models are
    parameters so a migration can pass its historical ones."""
    unmapped: dict[str, Counter] = {}
    for field in fields:
        column = cats.code_column(field)
        by_code: dict[str, list[str]] = defaultdict(list)
        unmapped[field] = Counter()
        rows = member_model.objects.values_list(field).annotate(n=Count("id")).order_by()
        for raw, n in rows:
            code = cats.classify(field, raw)
            by_code[code].append(raw)
            if code == cats.UNMAPPED:
                unmapped[field][raw] += n
        for code, raws in by_code.items():
            for i in range(0, len(raws), CHUNK):
                member_model.objects.filter(**{f"{field}__in": raws[i : i + CHUNK]}).exclude(
                    **{column: code}
                ).update(**{column: code})
        coding_model.objects.update_or_create(
            field=field,
            defaults={"fingerprint": cats.fingerprint(field), "coded_at": timezone.now()},
        )
    return unmapped
