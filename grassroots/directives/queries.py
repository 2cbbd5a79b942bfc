"""Reads of the register: documents an account may see, search, the cascade's figures, a
committee's inbox. Pages, CLI, API, Excel and the report all come here (one count, one place)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from grassroots.accounts import access
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import ancestors_at, children_at, subtree_ids

from . import search
from .kinds import kind_label
from .models import Document
from .tracker import DONE, DONE_LATE, LATE, NOT_DUE, Org, Tracker, track


def documents_visible(user) -> QuerySet:
    """The register as `user` may read it (None: the system, i.e. the CLI, reads everything)."""
    rows = Document.objects.filter(voided_at__isnull=True)
    return rows if user is None else access.only_issuers_visible(user, rows)


def find_document(user, text: str) -> Document | None:
    """A document by its number and symbol as typed ("22-NQ/TW"), the latest if several."""
    from .kinds import parse_symbol

    parsed = parse_symbol(text)
    if parsed is None:
        return None
    return documents_visible(user).filter(symbol=str(parsed)).order_by("-date", "-id").first()


def search_documents(
    user, text: str = "", *, unit: Unit | None = None, kind: str = "", limit: int = 50
) -> QuerySet:
    """Documents the account may see, matching every word of `text` (diacritics-insensitive),
    issued by `unit`'s subtree (today's) if given, newest first."""
    rows = documents_visible(user)
    if kind:
        rows = rows.filter(kind=kind)
    if unit is not None:
        from django.utils import timezone

        rows = rows.filter(issuer_id__in=subtree_ids(unit, timezone.localdate()))
    rows = search.matching(rows, text)
    return rows.select_related("issuer").order_by("-date", "-id")[:limit]


def document_json(doc: Document) -> dict:
    return {
        "id": doc.pk,
        "symbol": doc.symbol,
        "kind": doc.kind,
        "kind_label": kind_label(doc.kind),
        "date": doc.date.isoformat(),
        "issuer": doc.issuer_code,
        "title": doc.title,
        "parent": doc.parent.symbol if doc.parent_id else None,
    }


def _pct(expected: int, attended: int) -> float | None:
    return round(100 * attended / expected, 2) if expected else None


@dataclass
class Cascade:
    """The tracker's figures for one document, organization and day (the CLI's JSON keys)."""

    tracker: Tracker

    @property
    def required(self) -> list[Org]:
        return self.tracker.required()

    def _with(self, action: str) -> list[Org]:
        return [o for o in self.required if any(d.requirement.action == action for d in o.duties)]

    def plans_issued(self) -> int:
        return sum(
            1 for o in self._with("issue")
            if any(d.requirement.action == "issue" and d.done_on for d in o.duties)
        )  # fmt: skip

    def plans_late(self) -> int:
        return sum(
            1 for o in self._with("issue")
            if any(d.requirement.action == "issue" and d.state in (LATE, DONE_LATE)
                   for d in o.duties)
        )  # fmt: skip

    def sessions(self, orgs: list[Org] | None = None) -> int:
        return sum(len(o.sessions) for o in (self.required if orgs is None else orgs))

    def coverage(self, orgs: list[Org] | None = None) -> float | None:
        """Attended / expected over the study sessions of the organizations bound to study."""
        orgs = self._with("study") if orgs is None else orgs
        expected = sum(o.study_counts[0] for o in orgs)
        attended = sum(o.study_counts[1] for o in orgs)
        return _pct(expected, attended)

    def reports_filed(self) -> int:
        return sum(len(o.reports) for o in self.required)

    def children(self) -> list[dict]:
        t = self.tracker
        rows = {v.unit_id: v for v in children_at(t.unit, t.at)}
        ids = set(rows) | {o.unit_id for o in self.required if o.parent_id == t.unit.pk}
        subtree = _subtrees(ids, self.required, t.at)
        out = []
        for unit_id in ids:
            own = t.orgs.get(unit_id)
            below = subtree.get(unit_id, [])
            studied = [o for o in below if any(d.requirement.action == "study" for d in o.duties)]
            late = list(own.late) if own else []
            counts: dict[str, int] = {}
            for org in below:
                if org.unit_id != unit_id:
                    for label in org.late:
                        counts[label] = counts.get(label, 0) + 1
            late += [f"{label}: {n} tổ chức trực thuộc" for label, n in sorted(counts.items())]
            plan = own.plan if own else None
            name = rows[unit_id].name if unit_id in rows else (own.name if own else "")
            code = rows[unit_id].unit.code if unit_id in rows else (own.code if own else "")
            out.append(
                {
                    "code": code,
                    "name": name,
                    "plan": {"number": plan.symbol, "date": plan.date.isoformat()}
                    if plan
                    else None,
                    "state": own.state if own else "",
                    "study_coverage_pct": self.coverage(studied),
                    "late": late,
                }
            )
        return sorted(out, key=lambda c: c["code"])

    def as_json(self) -> dict:
        t = self.tracker
        return {
            "document": t.document.symbol,
            "unit": t.unit.code,
            "at": t.at.isoformat(),
            "organizations": len(self.required),
            "plans_issued": self.plans_issued(),
            "plans_late": self.plans_late(),
            "study_sessions": self.sessions(),
            "study_coverage_pct": self.coverage(),
            "reports_filed": self.reports_filed(),
            "children": self.children(),
        }


def _subtrees(child_ids: set[int], orgs: list[Org], at: dt.date) -> dict[int, list[Org]]:
    """child id → the bound organizations lying under it (or being it) on their last day."""
    from grassroots.organizations.models import UnitAncestry

    if not child_ids or not orgs:
        return {}
    by_id = {o.unit_id: o for o in orgs}
    out: dict[int, list[Org]] = {}
    rows = UnitAncestry.objects.filter(ancestor_id__in=child_ids).values_list(
        "ancestor_id", "descendant_id", "valid_from", "valid_to"
    )
    for ancestor, descendant, start, end in rows.iterator(chunk_size=20000):
        org = by_id.get(descendant)
        if org and start <= org.last and (end is None or org.last < end):
            out.setdefault(ancestor, []).append(org)
    return out


def cascade(document: Document, unit: Unit, at: dt.date) -> Cascade:
    """The tracker with every bound organization (the page's tree; the reference of
    `cascade_figures`)."""
    return Cascade(track(document, unit, at))


def cascade_figures(document: Document, unit: Unit, at: dt.date) -> dict:
    """`Cascade.as_json` computed by the database in one statement (the CLI and the API: a
    national resolution over the whole country; directives/figures.py); only `pending` and
    `pending_since` while the worker recomputes the document's root."""
    from .figures import cascade_json

    return cascade_json(document, unit, at)


@dataclass
class InboxItem:
    document: Document
    label: str
    deadline: dt.date
    state: str
    done_on: dt.date | None


def inbox(unit: Unit, at: dt.date, *, only_open: bool = False) -> list[InboxItem]:
    """What documents from above require of `unit` itself, with deadlines, as of `at`: the
    requirements of every chain that binds it (one tracker per top document, for this unit)."""
    from .models import Requirement

    issuers = [v.unit_id for v in ancestors_at(unit, at)]
    reqs = Requirement.objects.filter(document__voided_at__isnull=True, document__date__lte=at)
    reqs = reqs.filter(document__issuer_id__in=issuers) | reqs.filter(document__issuer__isnull=True)
    tops = {r.document_id: r.document for r in reqs.select_related("document")}
    items = []
    for doc in tops.values():
        org = track(doc, unit, at, only_unit=True).orgs.get(unit.pk)
        if org is None:
            continue
        for duty in org.duties:
            if duty.requirement.document_id != doc.pk:
                continue
            if only_open and duty.state not in (LATE, NOT_DUE):
                continue
            items.append(InboxItem(doc, duty.label, duty.deadline, duty.state, duty.done_on))
    order = {LATE: 0, NOT_DUE: 1, DONE_LATE: 2, DONE: 3}
    return sorted(items, key=lambda i: (order.get(i.state, 4), i.deadline))


def cascade_pending(document: Document) -> dt.datetime | None:
    """When the worker was asked to recompute the tracker of the document's root (a requirement
    added or voided far up the tree), if it has not finished: the document page says so."""
    from grassroots.derived.cascade_duties import pending_since

    return pending_since(document.root_id or document.pk)


@dataclass
class CascadePage:
    """The cascade page: the figures, the organization's own duties, and its children one level
    down (each a link to its own page), never one row per bound organization — a national
    resolution binds ~320,000."""

    figures: dict
    own: Org | None
    children: list[dict]
    pending_since: dt.datetime | None = None  # being recomputed: no figures, no children


def cascade_page(document: Document, unit: Unit, at: dt.date) -> CascadePage:
    figures = cascade_figures(document, unit, at)
    own = track(document, unit, at, only_unit=True).orgs.get(unit.pk)
    if figures.get("pending"):  # the organization's own duties are read from the facts: exact
        return CascadePage(figures, own, [], dt.datetime.fromisoformat(figures["pending_since"]))
    plans = {(c["code"], c["plan"]["number"]) for c in figures["children"] if c["plan"]}
    links: dict[tuple[str, str], int] = {}
    if plans:
        from .tracker import chain

        rows = chain(document, at).filter(
            issuer__code__in={code for code, _n in plans}, symbol__in={n for _c, n in plans}
        )
        for pk, code, symbol in rows.order_by("-date", "-id").values_list(
            "pk", "issuer__code", "symbol"
        ):
            links[(code, symbol)] = pk  # the earliest wins, as in the figures
    children = [
        {
            **c,
            "plan_id": links.get((c["code"], c["plan"]["number"])) if c["plan"] else None,
            "plan_date": dt.date.fromisoformat(c["plan"]["date"]) if c["plan"] else None,
        }
        for c in figures["children"]
    ]
    return CascadePage(figures, own, children)


def documents_issued(unit: Unit, since: dt.date, at: dt.date) -> int:
    """Documents issued from `since` to `at` (both included) by the organization or any
    organization ever under it (the review report's "documents issued")."""
    from grassroots.organizations.models import UnitAncestry

    below = UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
    return Document.objects.filter(
        voided_at__isnull=True, issuer_id__in=below, date__gte=since, date__lte=at
    ).count()


def tracked_documents(unit: Unit, since: dt.date, at: dt.date) -> list[Cascade]:
    """The tracker of each top document (one that implements nothing) dated from `since` to
    `at`, issued by the Centre or by the organization or one above it on `at`, that binds some
    organization of `unit` (the review report's directive cascade), oldest first."""
    from .models import Requirement

    issuers = [v.unit_id for v in ancestors_at(unit, at)] + [unit.pk]
    tops = Document.objects.filter(
        voided_at__isnull=True, parent__isnull=True, date__gte=since, date__lte=at
    ).order_by("date", "id")
    tops = tops.filter(issuer_id__in=issuers) | tops.filter(issuer__isnull=True)
    out = []
    for doc in tops:
        chain_docs = Document.objects.filter(root_id=doc.pk, voided_at__isnull=True)
        if not Requirement.objects.filter(document__in=chain_docs).exists():
            continue
        result = cascade(doc, unit, at)
        if result.required:
            out.append(result)
    return out
