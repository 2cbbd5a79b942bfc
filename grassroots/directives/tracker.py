"""The cascade tracker: for a document, an organization and a day, who below had to do what,
who did it, and what is late (docs/directives.md "The tracker").

Rules (issue 17):
- a requirement binds every organization of its level lying under the issuing document's issuer
  (anywhere, for a central body) on the document's date; an organization that enters the level
  under the issuer later (created, moved, changed kind) inherits it from that day, with the same
  lead time (deadline = max(deadline, entry + (deadline − document date)));
- what counts is the whole chain: a district's programme implementing the province's plan
  implementing the Centre's resolution implements the resolution (`Document.path`), and the
  chain's documents' own requirements join the tracker;
- an organization is shown where it stood on its last day in the window (today's tree for the
  living; the day before it ended for a dissolved or merged one, which keeps what it did; a
  duty whose deadline fell after it ended is "ended", not late).
The tree is read through the closure (`UnitAncestry`) and the versions, never walked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from grassroots.core.dates import FAR_FUTURE
from grassroots.meetings.queries import attendance_of
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion

from .kinds import AUDIENCE_CHOICES, DOC_KINDS, LEVELS, PLAN_KINDS
from .models import Document, Requirement, StudySession

DONE, DONE_LATE, LATE, NOT_DUE, ENDED = "done", "done_late", "late", "not_due", "ended"
Span = tuple[dt.date, dt.date]  # [from, to) with FAR_FUTURE for open


def chain(document: Document, at: dt.date | None = None):
    """The document and every document implementing or reviewing it, at any depth."""
    rows = Document.objects.filter(
        root_id=document.root_id or document.pk, path__startswith=document.path,
        voided_at__isnull=True,
    )  # fmt: skip
    return rows.filter(date__lte=at) if at else rows


def requirement_label(req: Requirement) -> str:
    if req.action == "study":
        return f"Học tập, quán triệt ({dict(AUDIENCE_CHOICES)[req.audience].lower()})"
    if req.action == "report":
        return str(DOC_KINDS[req.doc_kind].label)
    kind = DOC_KINDS[req.doc_kind].label if req.doc_kind else "Văn bản thực hiện"
    return f"Ban hành {str(kind).lower()}"


@dataclass
class Duty:
    requirement: Requirement
    label: str
    start: dt.date
    deadline: dt.date
    done_on: dt.date | None = None
    state: str = NOT_DUE


@dataclass
class Org:
    unit_id: int
    code: str = ""
    name: str = ""
    parent_id: int | None = None
    last: dt.date | None = None  # the day it is shown as of
    ended: dt.date | None = None
    duties: list[Duty] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    sessions: list[StudySession] = field(default_factory=list)

    @property
    def plan(self) -> Document | None:
        plans = [d for d in self.documents if not DOC_KINDS[d.kind].review]
        return plans[0] if plans else None

    @property
    def reports(self) -> list[Document]:
        return [d for d in self.documents if DOC_KINDS[d.kind].review]

    @property
    def study_counts(self) -> tuple[int, int]:
        """(expected, attended): make-up sessions add attendance, not audience. A study meeting's
        counts are the meetings module's (`attendance_of`), never recounted here."""
        expected = attended = 0
        for session in self.sessions:
            if session.meeting_id is not None:
                seen = attendance_of(session.meeting)
                counts = (seen.expected, seen.present)
            else:
                counts = (session.expected, session.attended)
            if session.makeup_of_id is None:
                expected += counts[0]
            attended += counts[1]
        return expected, min(attended, expected)

    @property
    def late(self) -> list[str]:
        return [d.label for d in self.duties if d.state in (LATE, DONE_LATE)]

    @property
    def state(self) -> str:
        """The colour of the row: late beats not due beats done."""
        states = {d.state for d in self.duties}
        for state in (LATE, DONE_LATE, NOT_DUE, ENDED):
            if state in states:
                return state
        return DONE if states else ""


def _spans(rows) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = defaultdict(list)
    for key, start, end in rows:
        out[key].append((start, end or FAR_FUTURE))
    return out


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            start, end = max(s1, s2), min(e1, e2)
            if start < end:
                out.append((start, end))
    return sorted(out)


def _overlapping(qs, since: dt.date, at: dt.date):
    return qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=since), valid_from__lte=at)


def _bound(
    req: Requirement, unit: Unit, at: dt.date, *, only_unit: bool = False
) -> dict[int, tuple[dt.date, dt.date, int]]:
    """unit id → (entry day, last day, parent on the last day) of the organizations bound by
    `req` and lying under `unit` on their last day (only `unit` itself with `only_unit`)."""
    doc = req.document
    window = [(doc.date, at + dt.timedelta(days=1))]
    below_unit = _overlapping(UnitAncestry.objects.filter(ancestor=unit), doc.date, at)
    if only_unit:
        below_unit = below_unit.filter(depth=0)
    versions = _overlapping(
        UnitVersion.objects.filter(kind__in=LEVELS[req.level].unit_kinds), doc.date, at
    ).filter(unit_id__in=below_unit.values("descendant_id"))
    kind_spans: dict[int, list[tuple[dt.date, dt.date, int | None]]] = defaultdict(list)
    for unit_id, start, end, parent in versions.values_list(
        "unit_id", "valid_from", "valid_to", "parent_id"
    ):
        kind_spans[unit_id].append((start, end or FAR_FUTURE, parent))
    if not kind_spans:
        return {}
    in_unit = _spans(below_unit.values_list("descendant_id", "valid_from", "valid_to"))
    if doc.issuer_id is None:
        in_issuer = None
    elif doc.issuer_id == unit.pk:
        in_issuer = _spans(
            below_unit.filter(depth__gt=0).values_list("descendant_id", "valid_from", "valid_to")
        )
    else:
        rows = _overlapping(
            UnitAncestry.objects.filter(ancestor_id=doc.issuer_id, depth__gt=0), doc.date, at
        ).filter(descendant_id__in=below_unit.values("descendant_id"))
        in_issuer = _spans(rows.values_list("descendant_id", "valid_from", "valid_to"))
    out = {}
    for unit_id, spans in kind_spans.items():
        bound = _intersect([(s, e) for s, e, _p in spans], window)
        if in_issuer is not None:
            bound = _intersect(bound, in_issuer.get(unit_id, []))
        if not bound:
            continue
        last = bound[-1][1] - dt.timedelta(days=1)
        if not any(s <= last < e for s, e in in_unit.get(unit_id, [])):
            continue
        parent = next((p for s, e, p in spans if s <= last < e), None)
        out[unit_id] = (bound[0][0], last, parent)
    return out


@dataclass
class Tracker:
    document: Document
    unit: Unit
    at: dt.date
    documents: list[Document]
    requirements: list[Requirement]
    orgs: dict[int, Org]

    def required(self) -> list[Org]:
        return [o for o in self.orgs.values() if o.duties]


def track(document: Document, unit: Unit, at: dt.date, *, only_unit: bool = False) -> Tracker:
    """The cascade of `document` under `unit` as of `at`; `only_unit` tracks the organization
    itself and nothing below it (its inbox: a province's would otherwise walk 5,000 units)."""
    docs = list(chain(document, at).select_related("issuer"))
    in_chain = chain(document, at).values("pk")
    reqs = list(Requirement.objects.filter(document__in=in_chain).select_related("document"))
    orgs: dict[int, Org] = {}
    for req in reqs:
        label = requirement_label(req)
        lead = req.deadline - req.document.date
        for unit_id, (start, last, parent) in _bound(req, unit, at, only_unit=only_unit).items():
            org = orgs.setdefault(unit_id, Org(unit_id))
            org.parent_id, org.last = parent, last
            deadline = (
                max(req.deadline, start + lead) if start > req.document.date else req.deadline
            )
            org.duties.append(Duty(req, label, start, deadline))
    _fill(orgs, docs, in_chain, at)
    for org in orgs.values():
        for duty in org.duties:
            duty.done_on = _done_on(duty.requirement, org)
            duty.state = _state(duty, org, at)
    return Tracker(document, unit, at, docs, reqs, orgs)


def _fill(orgs: dict[int, Org], docs: list[Document], in_chain, at: dt.date) -> None:
    if not orgs:
        return
    ids = list(orgs)
    for doc in docs:
        if doc.issuer_id in orgs:
            orgs[doc.issuer_id].documents.append(doc)
    for org in orgs.values():
        org.documents.sort(key=lambda d: (d.date, d.pk))
    sessions = StudySession.objects.filter(
        document__in=in_chain, voided_at__isnull=True, date__lte=at
    )
    for chunk in range(0, len(ids), 20000):
        part = ids[chunk : chunk + 20000]
        for session in sessions.filter(unit_id__in=part):
            orgs[session.unit_id].sessions.append(session)
        for unit in Unit.objects.filter(pk__in=part).values("pk", "code", "ended"):
            orgs[unit["pk"]].code, orgs[unit["pk"]].ended = unit["code"], unit["ended"]
    names = UnitVersion.objects.filter(unit_id__in=ids).values_list(
        "unit_id", "valid_from", "valid_to", "name"
    )
    for unit_id, start, end, name in names:
        org = orgs[unit_id]
        if start <= org.last and (end is None or org.last < end):
            org.name = name


def _done_on(req: Requirement, org: Org) -> dt.date | None:
    if req.action == "study":
        days = [s.date for s in org.sessions if s.audience == req.audience]
    elif req.action == "report":
        days = [d.date for d in org.documents if d.kind == req.doc_kind]
    else:
        kinds = (req.doc_kind,) if req.doc_kind else PLAN_KINDS
        days = [d.date for d in org.documents if d.kind in kinds and d.date >= req.document.date]
    days = [d for d in days if d >= req.document.date]
    return min(days) if days else None


def _state(duty: Duty, org: Org, at: dt.date) -> str:
    if duty.done_on is not None:
        return DONE if duty.done_on <= duty.deadline else DONE_LATE
    if org.ended is not None and org.ended <= min(at, duty.deadline):
        return ENDED  # dissolved or merged before the deadline: keeps what it did
    return LATE if at > duty.deadline else NOT_DUE
