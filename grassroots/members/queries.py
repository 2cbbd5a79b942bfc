"""Reads of members. Views, CLI, exports and benchmarks come here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from grassroots.core.text import fold, vietnamese

from .models import Member, MemberEvent, MemberNameKey, MemberStint

# A word is used to find candidates only if it has fewer keys than this in the places searched;
# when every word is commoner (say "nguyen van"), the rarest one drives anyway and the count shown
# stops at COUNT_CAP ("more than 1,000: type more").
DRIVER_BOUND = 20_000
COUNT_CAP = 1_000


@dataclass(frozen=True)
class Found:
    members: QuerySet  # ordered by folded name
    count: int  # at most COUNT_CAP
    more: bool  # there are more than COUNT_CAP


def revision(member: Member) -> int:
    """The member's edit token, sent back by a form or an API client as `expected_version` so that
    a save made against a stale copy is refused (issue 4 §4): the profile's own counter plus every
    event ever written for the member. Events are never deleted (a void keeps its row and bumps the
    counter; a correction adds its replacement), so recording any event moves the token without
    rewriting the member's row: a province's restructure moving 170,000 members writes no member
    row (docs/performance.md "Session 14"). One indexed count (members_memberevent by member)."""
    return member.version + MemberEvent.objects.filter(member_id=member.pk).count()


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _keys(word: str, places: list[int] | None) -> QuerySet:
    keys = MemberNameKey.objects.filter(key__gte=word, key__lt=_after(word))
    return keys if places is None else keys.filter(place_id__in=places)


def _is_identifier(text: str) -> bool:
    return len(text.split()) == 1 and any(ch.isdigit() for ch in text)


def search_members(
    qs: QuerySet,
    text: str,
    places: list[int] | None = None,
    scope_members: QuerySet | None = None,
) -> QuerySet:
    """Members of `qs` for a search box: by name, or by profile, card or citizen number.

    By name, every typed word must begin a word of the name, ignoring diacritics and case:
    "nguyen van an" finds "Nguyễn Văn Ấn" (and "Nguyễn Văn Anh"), "van an" and "an" find him too.
    Candidates come from the name index (members.search_index) for the rarest typed word in
    `places` (None: every place); `qs` carries the exact access filter. `scope_members`: ids
    (a subquery) of every member ever counted under the user's scope, a superset of those `qs`
    admits; when the scope holds fewer of them than the rarest word has keys (a commune clerk
    typing "tran": the province's ~15,000 keys, the commune's ~2,000 members), the scope drives
    instead of the name index. Same members either way: both only pre-filter `qs`.
    """
    text = text.strip()
    if _is_identifier(text):
        return qs.filter(
            Q(profile_number__iexact=text) | Q(card_number=text) | Q(citizen_id=text)
        ).order_by(vietnamese("full_name"), "id")
    tokens = sorted(set(fold(text).split()), key=len, reverse=True)
    if not tokens:
        return qs.none()
    if places is not None and not places:
        return qs.none()
    driver, fewest = tokens[0], None
    for word in tokens:  # longest first: usually the rarest, and then one count is enough
        count = _keys(word[:64], places)[:DRIVER_BOUND].count()
        if fewest is None or count < fewest:
            driver, fewest = word, count
        if count < COUNT_CAP:
            break
    candidates = _keys(driver[:64], places).values("member_id")
    # Only when every word is common (the loop above did not stop early): counting the scope's
    # stints, capped at the rarest word's keys, costs no more than reading those keys would.
    if scope_members is not None and fewest >= COUNT_CAP:
        if scope_members[:fewest].count() < fewest:
            candidates = scope_members
    qs = qs.filter(pk__in=candidates)
    for word in tokens:
        qs = qs.filter(Q(search_name__startswith=word) | Q(search_name__contains=" " + word))
    return ranked(qs, text)


def ranked(qs: QuerySet, text: str) -> QuerySet:
    """Name matches in the order a person expects (issue 11: "nguyen van" listed every "Nguyễn …
    Vân" first): the whole name beginning with the words as typed, then the words as typed one
    after the other inside the name, then the rest; alphabetical within each."""
    typed = " ".join(fold(text).split())
    rank = Case(
        When(search_name__startswith=typed, then=Value(0)),
        When(search_name__contains=" " + typed, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank).order_by("rank", vietnamese("full_name"), "id")


def open_on(day: dt.date) -> Q:
    """The stints running on `day`. Not `end IS NULL`: a stint recorded ahead (an exemption from
    2030, a transfer next month) is open-ended but not yet today's (issue 12 §7)."""
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))


def current_place(
    unit_ids: QuerySet | None = None, status: str = "", day: dt.date | None = None
) -> Exists:
    """Members whose membership is open on `day` (today), in `unit_ids` (a subquery) and with
    `status` ("official", "probationary", "exempt") when given. The search page's filters."""
    day = day or timezone.localdate()
    stints = MemberStint.objects.filter(open_on(day), member_id=OuterRef("pk"))
    if unit_ids is not None:
        stints = stints.filter(unit_id__in=unit_ids)
    if status == "exempt":
        stints = stints.filter(exempt=True)
    elif status in ("official", "probationary"):
        stints = stints.filter(status=status)
    return Exists(stints)


def find_members(
    qs: QuerySet,
    text: str,
    places: list[int] | None = None,
    scope_members: QuerySet | None = None,
) -> Found:
    """`search_members` for lists and pages: the first COUNT_CAP matches in name order.

    The matching ids are read once (the candidates' rows are the cost, on PostgreSQL mostly
    random heap reads); the count and every page then work on those ids only.
    """
    found = search_members(qs, text, places, scope_members)
    ids = list(found.values_list("pk", flat=True)[: COUNT_CAP + 1])
    members = qs.model.objects.filter(pk__in=ids[:COUNT_CAP])
    members = (
        members.order_by(vietnamese("full_name"), "id")
        if _is_identifier(text)
        else ranked(members, text)
    )
    return Found(members, min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP)


def no_longer_member(unit_ids: QuerySet | None = None, day: dt.date | None = None):
    """Members with no open membership today (died, left, removed, transferred out of the
    system), who were once in `unit_ids` when given."""
    condition = ~current_place(day=day)
    if unit_ids is not None:
        condition &= Exists(
            MemberStint.objects.filter(member_id=OuterRef("pk"), unit_id__in=unit_ids)
        )
    return condition
