"""The tracker's figures (the CLI's and API's JSON) computed by the database in one query.

`tracker.track` builds one Python object per bound organization: right for a page that shows
a few, far too slow for a national resolution (~320,000 organizations). Here the same rules
(docs/directives.md "The tracker", tracker.py) are one SQL statement through the closure and
the versions, shaped so that each bound organization costs one pass, not one per requirement:

1. `facts`: one row per version of a bound kind (with its (document, level) slot, the days it is
   bound), per done requirement (study session or implementing document, with its day), per
   study session (counts) and per review filed — a UNION ALL of plain scans;
2. `u`: grouped once per organization, the requirements spread over columns (entry and last
   day per slot, done day per requirement, session counts);
3. `p`: one closure probe per organization on its last day gives both "under the asked
   organization then" and the child of it the organization lies in;
4. `st`: the state of each of its duties (done, done late, late, not due, ended);
5. grouped per child: the totals and, per requirement, the child's own state and the count of
   late duties below it. Python receives one row per child.

`tests/test_directives_figures.py` checks it against `queries.Cascade` (the Python tracker) on
the test province through a merger, a dissolution and a later district, and on a generated tree.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from grassroots.core.dates import FAR_FUTURE
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import children_at

from .kinds import DOC_KINDS, LEVELS, PLAN_KINDS
from .models import Document, Requirement
from .tracker import DONE, DONE_LATE, ENDED, LATE, NOT_DUE, chain, requirement_label

T_DOC = Document._meta.db_table
T_SES = "directives_studysession"
T_VER = UnitVersion._meta.db_table
T_ANC = "organizations_unitancestry"
T_UNIT = Unit._meta.db_table
T_MEET = "meetings_meeting"
# states as small integers inside the statement (cheaper to compare and group than text)
STATES = {1: DONE, 2: DONE_LATE, 3: LATE, 4: NOT_DUE, 5: ENDED}
LATE_CODES = "(2, 3)"
SHIFT = 4294967296  # a child is encoded as depth * SHIFT + unit id, so MIN picks the nearest


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _day(day: dt.date) -> str:
    """A date as an SQL literal: only `datetime.date` values reach here, never typed text."""
    assert type(day) is dt.date
    return f"DATE '{day.isoformat()}'" if _pg() else f"'{day.isoformat()}'"


def _int(value: int) -> str:
    assert type(value) is int
    return str(value)


def _hi(*parts: str) -> str:
    return f"{'GREATEST' if _pg() else 'MAX'}({', '.join(parts)})"


def _lo(*parts: str) -> str:
    return f"{'LEAST' if _pg() else 'MIN'}({', '.join(parts)})"


def _plus(column: str, days: int) -> str:
    if _pg():
        return f"({column} + {_int(days)})"
    return f"date({column}, '{days:+d} days')"


def _in(values) -> tuple[str, list]:
    values = list(values)
    return (f"({', '.join(['%s'] * len(values))})", values) if values else ("(NULL)", [])


def _bound_facts(doc: Document, slots: dict[str, int], at: dt.date) -> tuple[str, list]:
    """The versions of the kinds of `slots` (level → slot number) in [document date, at], under
    the issuer (anywhere for a central body): one row per version with its slot and the days
    [a, b) it is bound (tracker._bound)."""
    pairs = [(slot, kind) for lv, slot in slots.items() for kind in LEVELS[lv].unit_kinds]
    level_kinds = " UNION ALL ".join(f"SELECT {_int(s)} AS k, %s AS kind" for s, _k in pairs)
    entry, last_excl = (
        ["v.valid_from", _day(doc.date)],
        [
            f"COALESCE(v.valid_to, {_day(FAR_FUTURE)})",
            _day(at + dt.timedelta(days=1)),
        ],
    )
    issuer_join = ""
    if doc.issuer_id is not None:
        issuer_join = (
            f" JOIN {T_ANC} ia ON ia.descendant_id = v.unit_id"
            f" AND ia.ancestor_id = {_int(doc.issuer_id)} AND ia.depth > 0"
            f" AND ia.valid_from <= {_day(at)}"
            f" AND (ia.valid_to IS NULL OR ia.valid_to > {_day(doc.date)})"
        )
        entry.append("ia.valid_from")
        last_excl.append(f"COALESCE(ia.valid_to, {_day(FAR_FUTURE)})")
    a, b = _hi(*entry), _lo(*last_excl)
    sql = (
        f"SELECT v.unit_id AS unit_id, lk.k AS k, {a} AS a, {b} AS b, 0 AS n, 0 AS ex, 0 AS att"
        f" FROM {T_VER} v JOIN ({level_kinds}) lk ON lk.kind = v.kind{issuer_join}"
        f" WHERE v.valid_from <= {_day(at)}"
        f" AND (v.valid_to IS NULL OR v.valid_to > {_day(doc.date)}) AND {a} < {b}"
    )
    return sql, [kind for _s, kind in pairs]


def _done_facts(req: Requirement, key: int, at: dt.date) -> tuple[str, list]:
    """The organizations that did `req`, each with the day (tracker._done_on), keyed `key`."""
    doc = req.document
    if req.action == "study":
        return (
            f"SELECT unit_id, {_int(key)}, date, NULL, 0, 0, 0 FROM {T_SES}"
            " WHERE document_id IN (SELECT id FROM ch) AND voided_at IS NULL"
            f" AND date <= {_day(at)} AND date >= {_day(doc.date)} AND audience = %s",
            [req.audience],
        )
    wanted = (req.doc_kind,) if req.action == "report" or req.doc_kind else PLAN_KINDS
    kinds_in, params = _in(wanted)
    return (
        f"SELECT issuer_id, {_int(key)}, date, NULL, 0, 0, 0 FROM ch"
        f" WHERE issuer_id IS NOT NULL AND kind IN {kinds_in} AND date >= {_day(doc.date)}",
        params,
    )


def _placement(unit_id: int, kids: list[int], day: str) -> str:
    """For the organization `u.unit_id` on the day before `day` (an SQL expression, exclusive):
    NULL if it did not lie under `unit_id` then; else 0 if it was directly under it (it is a
    child itself), depth * SHIFT + the nearest child of today it lay in, or -1 (none: the unit
    itself, or under a child that no longer exists)."""
    kid_list = ", ".join(_int(k) for k in kids) or "NULL"
    u = _int(unit_id)
    return (
        f"(SELECT CASE WHEN MAX(CASE WHEN a2.ancestor_id = {u} THEN 1 ELSE 0 END) = 1 THEN"
        f" COALESCE(MIN(CASE WHEN a2.ancestor_id = {u} AND a2.depth = 1 THEN 0"
        f" WHEN a2.ancestor_id IN ({kid_list}) THEN a2.depth * {SHIFT} + a2.ancestor_id END), -1)"
        f" END FROM {T_ANC} a2 WHERE a2.descendant_id = u.unit_id"
        f" AND a2.ancestor_id IN ({u}, {kid_list})"
        f" AND a2.valid_from < {day} AND (a2.valid_to IS NULL OR a2.valid_to >= {day}))"
    )


def cascade_json(document: Document, unit: Unit, at: dt.date) -> dict:
    """The figures of `queries.Cascade.as_json`, computed in the database."""
    in_chain = chain(document, at)
    docs = list(in_chain.values_list("pk", "issuer_id", "kind", "symbol", "date"))
    reqs = list(
        Requirement.objects.filter(document__in=in_chain.values("pk")).select_related("document")
    )
    out = {
        "document": document.symbol, "unit": unit.code, "at": at.isoformat(),
        "organizations": 0, "plans_issued": 0, "plans_late": 0, "study_sessions": 0,
        "study_coverage_pct": None, "reports_filed": 0,
    }  # fmt: skip
    kids = {v.unit_id: v for v in children_at(unit, at)}
    if not reqs:
        out["children"] = [
            {"code": v.unit.code, "name": v.name, "plan": None, "state": "",
             "study_coverage_pct": None, "late": []}
            for v in sorted(kids.values(), key=lambda v: v.unit.code)
        ]  # fmt: skip
        return out
    ch_sql, ch_params = in_chain.values("pk", "issuer_id", "kind", "date").query.sql_with_params()
    params: list = [*ch_params]
    # slots: one per (document, level) with requirements, numbered from 0; a requirement's done
    # days are keyed 1000 + its index, session counts -1, reviews filed -2
    slots: dict[Document, dict[str, int]] = {}
    slot_of: list[int] = []
    n_slots = 0
    for req in reqs:
        doc_slots = slots.setdefault(req.document, {})
        if req.level not in doc_slots:
            doc_slots[req.level] = n_slots
            n_slots += 1
        slot_of.append(doc_slots[req.level])
    facts = []
    for doc, doc_slots in slots.items():
        sql, p = _bound_facts(doc, doc_slots, at)
        facts.append(sql)
        params += p
    for i, req in enumerate(reqs):
        sql, p = _done_facts(req, 1000 + i, at)
        facts.append(sql)
        params += p
    expected = (
        "COALESCE(m.expected_official + m.expected_probationary + m.expected_attached, s.expected)"
    )
    present = (
        "COALESCE(m.present_official + m.present_probationary + m.present_attached, s.attended)"
    )
    facts.append(
        f"SELECT s.unit_id, -1, NULL, NULL, 1,"
        f" CASE WHEN s.makeup_of_id IS NULL THEN {expected} ELSE 0 END, {present}"
        f" FROM {T_SES} s LEFT JOIN {T_MEET} m ON m.id = s.meeting_id"
        f" WHERE s.document_id IN (SELECT id FROM ch) AND s.voided_at IS NULL"
        f" AND s.date <= {_day(at)}"
    )
    reviews_in, review_params = _in(k for k, v in DOC_KINDS.items() if v.review)
    facts.append(
        "SELECT issuer_id, -2, NULL, NULL, 1, 0, 0 FROM ch"
        f" WHERE issuer_id IS NOT NULL AND kind IN {reviews_in}"
    )
    params += review_params
    per_slot = ", ".join(
        f"MIN(CASE WHEN k = {s} THEN a END) AS e{s}, MAX(CASE WHEN k = {s} THEN b END) AS l{s}"
        for s in range(n_slots)
    )
    per_req = ", ".join(
        f"MIN(CASE WHEN k = {1000 + i} THEN a END) AS d{i}" for i in range(len(reqs))
    )
    # `L`: the last day (exclusive) over every slot; the placement is probed there, and again on
    # a slot's own last day only when that differs (an organization that changed level)
    grouped = (
        f"SELECT unit_id, {per_slot}, {per_req}, MAX(b) AS lx,"
        " SUM(CASE WHEN k = -1 THEN n ELSE 0 END) AS sn,"
        " SUM(CASE WHEN k = -1 THEN ex ELSE 0 END) AS sex,"
        " SUM(CASE WHEN k = -1 THEN att ELSE 0 END) AS satt,"
        " SUM(CASE WHEN k = -2 THEN n ELSE 0 END) AS reps"
        " FROM facts GROUP BY unit_id HAVING MAX(b) IS NOT NULL"
    )
    kid_ids = list(kids)
    day_after = _day(at + dt.timedelta(days=1))
    # a unit alive on `at` (lx = at + 1) cannot have ended by then: its end is read only for
    # the others
    probed = (
        f"SELECT u.*, {_placement(unit.pk, kid_ids, 'u.lx')} AS pl,"
        f" CASE WHEN u.lx < {day_after} THEN"
        f" (SELECT ended FROM {T_UNIT} WHERE id = u.unit_id) END AS ended FROM u"
    )
    oks = []
    for s in range(n_slots):
        oks.append(
            f"CASE WHEN u.l{s} IS NULL THEN 0 WHEN u.l{s} = u.lx THEN"
            f" (CASE WHEN u.pl IS NULL THEN 0 ELSE 1 END)"
            f" WHEN {_placement(unit.pk, kid_ids, f'u.l{s}')} IS NULL THEN 0 ELSE 1 END AS ok{s}"
        )
    never = _day(dt.date(1, 1, 1))
    lasts = _hi(*(f"CASE WHEN ok{s} = 1 THEN l{s} ELSE {never} END" for s in range(n_slots)))
    if n_slots == 1:
        lasts = f"CASE WHEN ok0 = 1 THEN l0 ELSE {never} END"
    checked = f"SELECT u.*, {', '.join(oks)} FROM p u"
    last_of = f"SELECT c.*, {lasts} AS last FROM c"
    states = []
    for i, req in enumerate(reqs):
        s, doc = slot_of[i], req.document
        lead = (req.deadline - doc.date).days
        deadline = (
            f"(CASE WHEN e{s} > {_day(doc.date)}"
            f" THEN {_hi(_day(req.deadline), _plus(f'e{s}', lead))} ELSE {_day(req.deadline)} END)"
        )
        states.append(
            f"CASE WHEN ok{s} = 0 THEN NULL"
            f" WHEN d{i} IS NOT NULL THEN (CASE WHEN d{i} <= {deadline} THEN 1 ELSE 2 END)"
            f" WHEN ended IS NOT NULL AND ended <= {_lo(_day(at), deadline)} THEN 5"
            f" WHEN {_day(at)} > {deadline} THEN 3 ELSE 4 END AS s{i}"
        )
    placed = _placement(unit.pk, kid_ids, "u.last")
    child = f"CASE WHEN u.last = u.lx THEN u.pl ELSE {placed} END"
    with_states = (
        f"SELECT x.*, CASE WHEN x.place = 0 THEN x.unit_id WHEN x.place > 0"
        f" THEN x.place %% {SHIFT} END AS child_id"  # %% : a literal % under both drivers
        f" FROM (SELECT u.unit_id, u.last, u.sn, u.sex,"
        f" u.satt, u.reps, {child} AS place, {', '.join(states)} FROM l u"
        f" WHERE u.last > {never}) x"
    )
    issue = [i for i, r in enumerate(reqs) if r.action == "issue"]
    study = [i for i, r in enumerate(reqs) if r.action == "study"]
    issued = " OR ".join(f"s{i} IN (1, 2)" for i in issue) or "1 = 0"
    issue_late = " OR ".join(f"s{i} IN {LATE_CODES}" for i in issue) or "1 = 0"
    studies = " OR ".join(f"s{i} IS NOT NULL" for i in study) or "1 = 0"
    capped = "CASE WHEN satt < sex THEN satt ELSE sex END"
    own_cols = ", ".join(
        f"MAX(CASE WHEN unit_id = child_id THEN s{i} END),"
        f" SUM(CASE WHEN unit_id <> child_id AND s{i} IN {LATE_CODES} THEN 1 ELSE 0 END)"
        for i in range(len(reqs))
    )
    sql = (
        f"WITH ch AS (SELECT pk AS id, issuer_id, kind, date FROM ({ch_sql}) c0),"
        f" facts AS ({' UNION ALL '.join(facts)}),"
        f" u AS MATERIALIZED ({grouped}),"
        f" p AS MATERIALIZED ({probed}),"
        f" c AS ({checked}), l AS ({last_of}),"
        f" st AS MATERIALIZED ({with_states})"
        " SELECT child_id, COUNT(*),"
        f" SUM(CASE WHEN {issued} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN {issue_late} THEN 1 ELSE 0 END), SUM(sn),"
        f" SUM(CASE WHEN {studies} THEN sex ELSE 0 END),"
        f" SUM(CASE WHEN {studies} THEN {capped} ELSE 0 END), SUM(reps),"
        " MAX(CASE WHEN unit_id = child_id THEN 1 ELSE 0 END),"
        f" MAX(CASE WHEN unit_id = child_id THEN last END), {own_cols}"
        " FROM st GROUP BY child_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals = [int(sum(r[i] or 0 for r in rows)) for i in range(1, 8)]  # PG: Decimal
    out.update(
        organizations=totals[0], plans_issued=totals[1], plans_late=totals[2],
        study_sessions=totals[3], study_coverage_pct=_pct(totals[4], totals[5]),
        reports_filed=totals[6],
    )  # fmt: skip
    by_child = {r[0]: r for r in rows if r[0] is not None}
    labels = [requirement_label(req) for req in reqs]
    plans: dict[int, dict] = {}
    for _pk, issuer_id, kind, symbol, date in sorted(docs, key=lambda d: (d[4], d[0])):
        if issuer_id is not None and not DOC_KINDS[kind].review:
            plans.setdefault(issuer_id, {"number": symbol, "date": date.isoformat()})
    ids = set(kids) | {c for c, r in by_child.items() if r[8]}
    names = {k: (v.unit.code, v.name) for k, v in kids.items()}
    names.update(_names_on_last_day({c: by_child[c][9] for c in ids - set(kids)}))
    children = []
    for unit_id in ids:
        row = by_child.get(unit_id)
        own = [] if row is None else [
            (STATES[row[10 + 2 * i]], labels[i])
            for i in range(len(reqs)) if row[10 + 2 * i] is not None
        ]  # fmt: skip
        late = [label for state, label in own if state in (LATE, DONE_LATE)]
        below: dict[str, int] = {}
        for i in range(len(reqs)):
            if row is not None and row[11 + 2 * i]:
                below[labels[i]] = below.get(labels[i], 0) + int(row[11 + 2 * i])
        late += [f"{label}: {n} tổ chức trực thuộc" for label, n in sorted(below.items())]
        code, name = names.get(unit_id, ("", ""))
        children.append({
            "code": code, "name": name,
            "plan": plans.get(unit_id) if row and row[8] else None,
            "state": _colour({state for state, _l in own}),
            "study_coverage_pct": _pct(int(row[5] or 0), int(row[6] or 0)) if row else None,
            "late": late,
        })  # fmt: skip
    out["children"] = sorted(children, key=lambda c: c["code"])
    return out


def _colour(states: set[str]) -> str:
    """tracker.Org.state: late beats done late beats not due beats ended beats done."""
    for state in ("late", "done_late", "not_due", "ended"):
        if state in states:
            return state
    return "done" if states else ""


def _pct(expected: int, attended: int) -> float | None:
    return round(100 * attended / expected, 2) if expected else None


def _names_on_last_day(last_excl: dict[int, object]) -> dict[int, tuple[str, str]]:
    """(code, name) of organizations no longer under the unit, as they stood on their last day."""
    if not last_excl:
        return {}
    codes = dict(Unit.objects.filter(pk__in=last_excl).values_list("pk", "code"))
    out = {}
    rows = UnitVersion.objects.filter(unit_id__in=last_excl).values_list(
        "unit_id", "valid_from", "valid_to", "name"
    )
    for unit_id, start, end, name in rows:
        day = last_excl[unit_id]
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        if start < day and (end is None or end >= day):
            out[unit_id] = (codes[unit_id], name)
    return out
