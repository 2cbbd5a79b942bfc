"""The tracker's figures (the CLI's and API's JSON) computed by the database in one query.

`tracker.track` builds one Python object per bound organization: right for a page that shows
them, far too slow for a national resolution (~350,000 organizations: tens of seconds). Here the
same rules (docs/directives.md "The tracker", tracker.py) are one SQL statement through the
closure and the versions: a derived table of duties (one SELECT per requirement, bound
organizations with entry day, last day, deadline, done day and state), grouped per organization
and then per child of the asked organization; Python receives a few hundred rows.
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
from .tracker import chain, requirement_label

T_DOC = Document._meta.db_table
T_SES = "directives_studysession"
T_VER = UnitVersion._meta.db_table
T_ANC = "organizations_unitancestry"
T_UNIT = Unit._meta.db_table
T_MEET = "meetings_meeting"
LATE_STATES = "('late', 'done_late')"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _hi(*parts: str) -> str:
    return f"{'GREATEST' if _pg() else 'MAX'}({', '.join(parts)})"


def _lo(*parts: str) -> str:
    return f"{'LEAST' if _pg() else 'MIN'}({', '.join(parts)})"


def _plus(column: str, days: int) -> tuple[str, list]:
    if _pg():
        return f"({column} + %s)", [days]
    return f"date({column}, %s)", [f"{days:+d} days"]


def _in(values) -> tuple[str, list]:
    values = list(values)
    return (f"({', '.join(['%s'] * len(values))})", values) if values else ("(NULL)", [])


def _bound_sql(doc: Document, levels: list[str], unit_id: int, at: dt.date) -> tuple[str, list]:
    """The organizations bound by `doc`'s requirements of `levels` under `unit_id`: one row per
    (organization, level) with its entry day, the day after its last day, and the day it ended.
    Rules of tracker._bound: of the level's kind, under the issuer (anywhere for a central
    body), within [document date, at]; under `unit_id` on the last day."""
    day_after = at + dt.timedelta(days=1)
    pairs = [(lv, kind) for lv in levels for kind in LEVELS[lv].unit_kinds]
    level_kinds = " UNION ALL ".join(["SELECT %s AS level, %s AS kind"] * len(pairs))
    issuer_join, entry, last_excl, params = (
        "",
        ["v.valid_from", "%s"],
        ["COALESCE(v.valid_to, %s)", "%s"],
        [],
    )
    start_params, end_params = [doc.date], [FAR_FUTURE, day_after]
    if doc.issuer_id is not None:
        issuer_join = (
            f" JOIN {T_ANC} ia ON ia.descendant_id = v.unit_id AND ia.ancestor_id = %s"
            " AND ia.depth > 0 AND ia.valid_from <= %s"
            " AND (ia.valid_to IS NULL OR ia.valid_to > %s)"
        )
        params += [doc.issuer_id, at, doc.date]
        entry.append("ia.valid_from")
        last_excl.append("COALESCE(ia.valid_to, %s)")
        end_params.append(FAR_FUTURE)
    s, e = _hi(*entry), _lo(*last_excl)
    sql = (
        "SELECT g.unit_id AS unit_id, g.level AS level, g.entry AS entry,"
        " g.last_excl AS last_excl, u.ended AS ended FROM ("
        f"SELECT v.unit_id AS unit_id, lk.level AS level, MIN({s}) AS entry,"
        f" MAX({e}) AS last_excl FROM {T_VER} v JOIN ({level_kinds}) lk ON lk.kind = v.kind"
        f"{issuer_join} WHERE v.valid_from <= %s AND (v.valid_to IS NULL OR v.valid_to > %s)"
        f" AND {s} < {e} GROUP BY v.unit_id, lk.level) g JOIN {T_UNIT} u ON u.id = g.unit_id"
        f" WHERE EXISTS (SELECT 1 FROM {T_ANC} ua WHERE ua.ancestor_id = %s"
        " AND ua.descendant_id = g.unit_id AND ua.valid_from < g.last_excl"
        " AND (ua.valid_to IS NULL OR ua.valid_to >= g.last_excl))"
    )
    return sql, [
        *start_params,
        *end_params,
        *[x for pair in pairs for x in pair],
        *params,
        at,
        doc.date,
        *start_params,
        *end_params,
        unit_id,
    ]


def _duty_sql(req: Requirement, at: dt.date) -> tuple[str, list]:
    """One requirement's bound organizations (from its document's `b<id>`) with the duty's
    done day and state (tracker._done_on, tracker._state)."""
    doc = req.document
    if req.action == "study":
        done = (
            f"SELECT unit_id AS uid, MIN(date) AS day FROM {T_SES}"
            " WHERE document_id IN (SELECT id FROM ch) AND voided_at IS NULL AND date <= %s"
            " AND date >= %s AND audience = %s GROUP BY unit_id"
        )
        done_params = [at, doc.date, req.audience]
    else:
        if req.action == "report":
            wanted = (req.doc_kind,)
        else:
            wanted = (req.doc_kind,) if req.doc_kind else PLAN_KINDS
        kinds_in, wanted_params = _in(wanted)
        done = (
            f"SELECT issuer_id AS uid, MIN(date) AS day FROM ch WHERE kind IN {kinds_in}"
            " AND date >= %s GROUP BY issuer_id"
        )
        done_params = [*wanted_params, doc.date]
    lead = (req.deadline - doc.date).days
    shifted, shift_params = _plus("b.entry", lead)
    deadline = f"(CASE WHEN b.entry > %s THEN {_hi('%s', shifted)} ELSE %s END)"
    deadline_params = [doc.date, req.deadline, *shift_params, req.deadline]
    state = (
        f"CASE WHEN d.day IS NOT NULL THEN (CASE WHEN d.day <= {deadline} THEN 'done'"
        " ELSE 'done_late' END)"
        f" WHEN b.ended IS NOT NULL AND b.ended <= {_lo('%s', deadline)} THEN 'ended'"
        f" WHEN %s > {deadline} THEN 'late' ELSE 'not_due' END"
    )
    state_params = [*deadline_params, at, *deadline_params, at, *deadline_params]
    sql = (
        f"SELECT b.unit_id AS unit_id, %s AS req_id, %s AS action, b.last_excl AS last_excl,"
        f" d.day AS done_on, {state} AS state FROM b{doc.pk} b"
        f" LEFT JOIN ({done}) d ON d.uid = b.unit_id WHERE b.level = %s"
    )
    return sql, [req.pk, req.action, *state_params, *done_params, req.level]


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
    ctes, params = (
        [f"ch AS (SELECT pk AS id, issuer_id, kind, date FROM ({ch_sql}) c0)"],
        [*ch_params],
    )
    levels: dict[Document, list[str]] = {}
    for req in reqs:
        levels.setdefault(req.document, [])
        if req.level not in levels[req.document]:
            levels[req.document].append(req.level)
    for doc, doc_levels in levels.items():
        sql, p = _bound_sql(doc, doc_levels, unit.pk, at)
        ctes.append(f"b{doc.pk} AS ({sql})")
        params += p
    parts = []
    for req in reqs:
        sql, p = _duty_sql(req, at)
        parts.append(sql)
        params += p
    reviews_in, review_params = _in(k for k, v in DOC_KINDS.items() if v.review)
    expected = (
        "COALESCE(m.expected_official + m.expected_probationary + m.expected_attached, s.expected)"
    )
    present = (
        "COALESCE(m.present_official + m.present_probationary + m.present_attached, s.attended)"
    )
    with_sql = (
        f"WITH {', '.join(ctes)}, duty AS ({' UNION ALL '.join(parts)}),"
        " org AS (SELECT unit_id, MAX(last_excl) AS last_excl,"
        " MAX(CASE WHEN action = 'issue' AND done_on IS NOT NULL THEN 1 ELSE 0 END) AS issued,"
        f" MAX(CASE WHEN action = 'issue' AND state IN {LATE_STATES} THEN 1 ELSE 0 END) AS issue_late,"
        " MAX(CASE WHEN action = 'study' THEN 1 ELSE 0 END) AS studies"
        " FROM duty GROUP BY unit_id),"
        f" ses AS (SELECT s.unit_id AS unit_id, COUNT(*) AS n,"
        f" SUM(CASE WHEN s.makeup_of_id IS NULL THEN {expected} ELSE 0 END) AS expected,"
        f" SUM({present}) AS attended"
        f" FROM {T_SES} s LEFT JOIN {T_MEET} m ON m.id = s.meeting_id"
        " WHERE s.document_id IN (SELECT id FROM ch) AND s.voided_at IS NULL AND s.date <= %s"
        " GROUP BY s.unit_id),"
        " rep AS (SELECT issuer_id AS unit_id, COUNT(*) AS n FROM ch"
        f" WHERE kind IN {reviews_in} GROUP BY issuer_id)"
    )
    with_params = [*params, at, *review_params]
    # the child of `unit` each organization lies in on its last day: a child on `at`, or an
    # organization that was directly under `unit` on its own last day (a dissolved district)
    child_ids = list(kids)
    kid_in, kid_params = _in(child_ids)
    direct = "a2.ancestor_id = %s AND a2.depth = 1"
    child = (
        f"(SELECT CASE WHEN {direct} THEN o.unit_id ELSE a2.ancestor_id END FROM {T_ANC} a2"
        f" WHERE a2.descendant_id = o.unit_id AND (a2.ancestor_id IN {kid_in} OR ({direct}))"
        " AND a2.valid_from < o.last_excl AND (a2.valid_to IS NULL OR a2.valid_to >= o.last_excl)"
        f" ORDER BY CASE WHEN {direct} THEN 0 ELSE 1 END, a2.depth LIMIT 1)"
    )
    org_rows = (
        f"SELECT o.unit_id AS unit_id, {child} AS child_id, o.last_excl AS last_excl, o.issued AS issued, o.issue_late AS issue_late,"
        " o.studies AS studies, COALESCE(x.n, 0) AS n, COALESCE(x.expected, 0) AS expected,"
        " COALESCE(x.attended, 0) AS attended, COALESCE(r.n, 0) AS reports"
        " FROM org o LEFT JOIN ses x ON x.unit_id = o.unit_id"
        " LEFT JOIN rep r ON r.unit_id = o.unit_id"
    )
    capped = "CASE WHEN attended < expected THEN attended ELSE expected END"
    # One statement (each CTE evaluated once): per child of `unit` the totals of its subtree
    # ('g'), and the states of the duties in it, its own apart ('s').
    sql = (
        f"{with_sql}, placed AS ({org_rows})"
        " SELECT 'g' AS tag, child_id, NULL AS req_id, NULL AS own, NULL AS state,"
        " COUNT(*) AS c1, SUM(issued), SUM(issue_late), SUM(n),"
        " SUM(CASE WHEN studies = 1 THEN expected ELSE 0 END),"
        f" SUM(CASE WHEN studies = 1 THEN {capped} ELSE 0 END), SUM(reports),"
        " MAX(CASE WHEN unit_id = child_id THEN 1 ELSE 0 END),"
        " MAX(CASE WHEN unit_id = child_id THEN last_excl END)"
        " FROM placed GROUP BY child_id"
        " UNION ALL"
        " SELECT 's', p.child_id, d.req_id, CASE WHEN d.unit_id = p.child_id THEN 1 ELSE 0 END,"
        " d.state, COUNT(*), 0, 0, 0, 0, 0, 0, 0, NULL"
        " FROM duty d JOIN placed p ON p.unit_id = d.unit_id WHERE p.child_id IS NOT NULL"
        " GROUP BY p.child_id, d.req_id, CASE WHEN d.unit_id = p.child_id THEN 1 ELSE 0 END,"
        " d.state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*with_params, unit.pk, *kid_params, unit.pk, unit.pk])
        rows = cursor.fetchall()
    groups = [r for r in rows if r[0] == "g"]
    totals = [int(sum(r[i] or 0 for r in groups)) for i in range(5, 12)]  # PG: Decimal
    out.update(
        organizations=totals[0], plans_issued=totals[1], plans_late=totals[2],
        study_sessions=totals[3], study_coverage_pct=_pct(totals[4], totals[5]),
        reports_filed=totals[6],
    )  # fmt: skip
    by_child = {r[1]: r for r in groups if r[1] is not None}
    labels = {req.pk: requirement_label(req) for req in reqs}
    order = {req.pk: i for i, req in enumerate(reqs)}
    own: dict[int, list[tuple[int, str]]] = {}
    below: dict[int, dict[str, int]] = {}
    for _tag, child_id, req_id, is_own, state, n, *_rest in (r for r in rows if r[0] == "s"):
        if is_own:
            own.setdefault(child_id, []).append((order[req_id], state, labels[req_id]))
        elif state in ("late", "done_late"):
            counts = below.setdefault(child_id, {})
            counts[labels[req_id]] = counts.get(labels[req_id], 0) + int(n)
    plans: dict[int, dict] = {}
    for _pk, issuer_id, kind, symbol, date in sorted(docs, key=lambda d: (d[4], d[0])):
        if issuer_id is not None and not DOC_KINDS[kind].review:
            plans.setdefault(issuer_id, {"number": symbol, "date": date.isoformat()})
    ids = set(kids) | {c for c, r in by_child.items() if r[12]}
    names = {k: (v.unit.code, v.name) for k, v in kids.items()}
    names.update(_names_on_last_day({c: by_child[c][13] for c in ids - set(kids)}))
    children = []
    for unit_id in ids:
        row = by_child.get(unit_id)
        duties = sorted(own.get(unit_id, []))
        late = [label for _i, state, label in duties if state in ("late", "done_late")]
        late += [f"{label}: {n} tổ chức trực thuộc"
                 for label, n in sorted(below.get(unit_id, {}).items())]  # fmt: skip
        code, name = names.get(unit_id, ("", ""))
        children.append({
            "code": code, "name": name,
            "plan": plans.get(unit_id) if row and row[12] else None,
            "state": _colour({state for _i, state, _l in duties}),
            "study_coverage_pct": _pct(int(row[9] or 0), int(row[10] or 0)) if row else None,
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
