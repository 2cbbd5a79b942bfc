"""The tracker's figures (the CLI's and API's JSON) computed by the database.

`tracker.track` builds one Python object per bound organization: right for a page that shows
them, far too slow for a national resolution (~350,000 organizations: tens of seconds). Here the
same rules (docs/directives.md "The tracker", tracker.py) are read from the stored placed duties
(`figures.CascadeDuty`, kept by `derived.cascade_duties`): one statement groups the rows of the
asked document under the asked organization valid on the day per (child, requirement, own,
state) — the ~95 % that are live below their child read already counted
(`figures.CascadeDutyCount`), the rest one by one — a second adds the chain's study sessions and
reviews; Python receives a few hundred rows.
`tests/test_directives_figures.py` checks it against `queries.Cascade` (the Python tracker) on
the test province through a merger, a dissolution and a later district, and on generated trees.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from grassroots.derived.cascade_duties import pending_since, stored_key
from grassroots.figures.models import CascadeDuty, CascadeDutyCount
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import children_at

from .kinds import DOC_KINDS
from .models import Document, Requirement
from .tracker import chain, requirement_label

T_SES = "directives_studysession"
T_ANC = "organizations_unitancestry"
T_MEET = "meetings_meeting"
T_DUTY = CascadeDuty._meta.db_table
T_COUNT = CascadeDutyCount._meta.db_table


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _in(values) -> tuple[str, list]:
    values = list(values)
    return (f"({', '.join(['%s'] * len(values))})", values) if values else ("(NULL)", [])


def _kid_sql(unit_id: int, kid_ids: list[int]) -> tuple[str, list]:
    """The child of the asked organization a row's organization lies in: stored for a live
    row (its path on `at`); otherwise, on its last day, the nearest ancestor among the children
    on `at`, or itself if it was directly under the organization (a dissolved district)."""
    kid_in, kid_params = _in(kid_ids)
    direct = "a2.ancestor_id = %s AND a2.depth = 1"
    sql = (
        f"(CASE WHEN d.live THEN d.child_id ELSE"
        f" (SELECT CASE WHEN {direct} THEN d.unit_id ELSE a2.ancestor_id END FROM {T_ANC} a2"
        f" WHERE a2.descendant_id = d.unit_id AND (a2.ancestor_id IN {kid_in} OR ({direct}))"
        " AND a2.valid_from < d.last_excl AND (a2.valid_to IS NULL OR a2.valid_to >= d.last_excl)"
        f" ORDER BY CASE WHEN {direct} THEN 0 ELSE 1 END, a2.depth LIMIT 1) END)"
    )
    return sql, [unit_id, *kid_params, unit_id, unit_id]


def cascade_json(document: Document, unit: Unit, at: dt.date) -> dict:
    """The figures of `queries.Cascade.as_json`, read from the stored duties — or, while the
    worker recomputes the document's root after a whole-root change (`cascade_duties.defer`),
    only `pending` and `pending_since`: the stored rows predate that change."""
    head = {"document": document.symbol, "unit": unit.code, "at": at.isoformat()}
    for _attempt in range(3):
        since = pending_since(document.root_id or document.pk)
        if since is not None:
            return {**head, "pending": True, "pending_since": since.isoformat()}
        key = stored_key(document.pk)
        out = _figures(document, unit, at, key)
        # the worker's swap flips the half read and then deletes the old one: figures read
        # across a flip may miss rows, so they are read again
        if stored_key(document.pk) == key:
            return out
    raise RuntimeError(f"cascade figures of {document.pk}: the stored duties kept moving")


def _figures(document: Document, unit: Unit, at: dt.date, key: int) -> dict:
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
    kid, kid_params = _kid_sql(unit.pk, list(kids))
    placed = (
        f"FROM {T_DUTY} d WHERE d.asked_id = %s AND d.ancestor_id = %s AND d.at_from <= %s"
        " AND d.at_to > %s"
    )
    placed_params = [key, unit.pk, at, at]

    def counted(t: str, n: str) -> tuple[str, list]:
        """The columns a duty (`n` = 1) or a count of duties (`n`) gives the grouping."""
        state = (
            f"CASE WHEN {t}.done_on <= %s THEN (CASE WHEN {t}.done_on <= {t}.deadline THEN"
            f" 'done' ELSE 'done_late' END) WHEN {t}.ended IS NOT NULL AND {t}.ended <="
            f" {t}.deadline AND {t}.ended <= %s THEN 'ended' WHEN %s > {t}.deadline THEN 'late'"
            " ELSE 'not_due' END"
        )
        sql = (
            f"{t}.requirement_id AS requirement_id, {state} AS state, {n} AS n,"
            f" CASE WHEN %s < {t}.org_until THEN {n} ELSE 0 END AS org,"
            f" CASE WHEN {t}.done_on <= %s AND %s < {t}.issued_until THEN {n} ELSE 0 END"
            f" AS issued, CASE WHEN %s < {t}.late_until THEN {n} ELSE 0 END AS late"
        )
        return sql, [at] * 7

    one_sql, one_params = counted("d", "1")
    many_sql, many_params = counted("c", "c.n")
    # One row per (child, requirement, own or below, state): the duties counted, and the rows
    # standing for their organization in the organization, plan and late counts. The grouped
    # duties (live, below their child) come counted; the others one by one.
    duties_sql = (
        "SELECT kid, requirement_id, CASE WHEN unit_id = kid THEN 1 ELSE 0 END, state,"
        " SUM(n), SUM(org), SUM(issued), SUM(late),"
        " MAX(CASE WHEN unit_id = kid THEN COALESCE(last_excl, %s) END)"
        f" FROM (SELECT d.unit_id AS unit_id, {kid} AS kid, {one_sql},"
        f" d.last_excl AS last_excl {placed} AND d.grouped = %s"
        f" UNION ALL SELECT NULL, c.child_id, {many_sql}, NULL FROM {T_COUNT} c"
        " WHERE c.asked_id = %s AND c.ancestor_id = %s AND c.at_from <= %s AND c.at_to > %s"
        ") p GROUP BY kid, requirement_id, CASE WHEN unit_id = kid THEN 1 ELSE 0 END, state"
    )
    duties_params = [at + dt.timedelta(days=1), *kid_params, *one_params, *placed_params, False,
                     *many_params, *placed_params]  # fmt: skip
    ch_sql, ch_params = in_chain.values("pk", "issuer_id", "kind").query.sql_with_params()
    reviews_in, review_params = _in(k for k, v in DOC_KINDS.items() if v.review)
    expected = (
        "COALESCE(m.expected_official + m.expected_probationary + m.expected_attached, s.expected)"
    )
    present = (
        "COALESCE(m.present_official + m.present_probationary + m.present_attached, s.attended)"
    )
    # Each organization with a session or a review joins its own rows (the (asked,
    # organization) index), not the place's: driven by the place index SQLite read the country's
    # rows once per organization with a session (minutes; `+` forbids it), and PostgreSQL
    # hash-joined all of them (790,000 rows, 1.3 s for the country; a LATERAL subquery kept
    # apart by OFFSET 0 makes it a loop of index scans — SQLite has no LATERAL).
    mine = (
        "d.asked_id = %s AND d.unit_id = w.unit_id AND {a}d.ancestor_id = %s"
        " AND {a}d.at_from <= %s AND d.at_to > %s AND (%s < d.org_until OR %s < d.study_until)"
    )
    if _pg():
        joined = f" CROSS JOIN LATERAL (SELECT * FROM {T_DUTY} d WHERE {mine.format(a='')}"
        joined += " OFFSET 0) d"
    else:
        joined = f" JOIN {T_DUTY} d ON {mine.format(a='+')}"
    # The sessions and reviews of the chain, per organization (a few thousand), each added to
    # the child of the organization's standing row (the study row for the coverage).
    sessions_sql = (
        f"WITH ch AS (SELECT pk AS id, issuer_id, kind FROM ({ch_sql}) c0),"
        " ses AS (SELECT s.unit_id AS unit_id, COUNT(*) AS n,"
        f" SUM(CASE WHEN s.makeup_of_id IS NULL THEN {expected} ELSE 0 END) AS expected,"
        f" SUM({present}) AS attended"
        f" FROM {T_SES} s LEFT JOIN {T_MEET} m ON m.id = s.meeting_id"
        " WHERE s.document_id IN (SELECT id FROM ch) AND s.voided_at IS NULL AND s.date <= %s"
        " GROUP BY s.unit_id),"
        " rep AS (SELECT issuer_id AS unit_id, COUNT(*) AS n FROM ch"
        f" WHERE kind IN {reviews_in} GROUP BY issuer_id),"
        " who AS (SELECT unit_id FROM ses UNION SELECT unit_id FROM rep)"
        " SELECT kid, SUM(n), SUM(expected), SUM(attended), SUM(reports) FROM ("
        f"SELECT {kid} AS kid, CASE WHEN %s < d.org_until THEN COALESCE(x.n, 0) ELSE 0 END AS n,"
        " CASE WHEN %s < d.study_until THEN COALESCE(x.expected, 0) ELSE 0 END AS expected,"
        " CASE WHEN %s < d.study_until THEN (CASE WHEN x.attended < x.expected"
        " THEN x.attended ELSE x.expected END) ELSE 0 END AS attended,"
        " CASE WHEN %s < d.org_until THEN COALESCE(r.n, 0) ELSE 0 END AS reports"
        f" FROM who w{joined}"
        " LEFT JOIN ses x ON x.unit_id = w.unit_id LEFT JOIN rep r ON r.unit_id = w.unit_id"
        ") q GROUP BY kid"
    )
    sessions_params = [*ch_params, at, *review_params, *kid_params, at, at, at, at,
                       *placed_params, at, at]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(duties_sql, duties_params)
        duty_rows = cursor.fetchall()
        cursor.execute(sessions_sql, sessions_params)
        session_rows = cursor.fetchall()
    labels = {req.pk: requirement_label(req) for req in reqs}
    order = {req.pk: i for i, req in enumerate(reqs)}
    totals = [0, 0, 0]
    placed_kids: set = set()
    own_last: dict[int, object] = {}
    own: dict[int, list[tuple[int, str, str]]] = {}
    below: dict[int, dict[str, int]] = {}
    for child_id, req_id, is_own, state, n, orgs, issued, late, last in duty_rows:
        totals[0] += int(orgs or 0)
        totals[1] += int(issued or 0)
        totals[2] += int(late or 0) if state in ("late", "done_late") else 0
        if child_id is None:
            continue
        placed_kids.add(child_id)
        if is_own:
            own_last[child_id] = last
            own.setdefault(child_id, []).append((order[req_id], state, labels[req_id]))
        elif state in ("late", "done_late"):
            counts = below.setdefault(child_id, {})
            counts[labels[req_id]] = counts.get(labels[req_id], 0) + int(n)
    study = {r[0]: [int(v or 0) for v in r[1:]] for r in session_rows}  # PG: Decimal
    sums = [sum(v[i] for v in study.values()) for i in range(4)]
    out.update(
        organizations=totals[0], plans_issued=totals[1], plans_late=totals[2],
        study_sessions=sums[0], study_coverage_pct=_pct(sums[1], sums[2]), reports_filed=sums[3],
    )  # fmt: skip
    plans: dict[int, dict] = {}
    for _pk, issuer_id, kind, symbol, date in sorted(docs, key=lambda d: (d[4], d[0])):
        if issuer_id is not None and not DOC_KINDS[kind].review:
            plans.setdefault(issuer_id, {"number": symbol, "date": date.isoformat()})
    ids = set(kids) | set(own_last)
    names = {k: (v.unit.code, v.name) for k, v in kids.items()}
    names.update(_names_on_last_day({c: own_last[c] for c in ids - set(kids)}))
    children = []
    for unit_id in ids:
        duties = sorted(own.get(unit_id, []))
        late = [label for _i, state, label in duties if state in ("late", "done_late")]
        late += [f"{label}: {n} tổ chức trực thuộc"
                 for label, n in sorted(below.get(unit_id, {}).items())]  # fmt: skip
        code, name = names.get(unit_id, ("", ""))
        counts = study.get(unit_id, [0, 0, 0, 0])
        children.append({
            "code": code, "name": name,
            "plan": plans.get(unit_id) if unit_id in own_last else None,
            "state": _colour({state for _i, state, _l in duties}),
            "study_coverage_pct": _pct(counts[1], counts[2]) if unit_id in placed_kids else None,
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
