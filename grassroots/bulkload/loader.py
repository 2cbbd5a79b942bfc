"""Loading whole datasets fast: the demo province, the national generator and big imports.

Rows are written in batches (units with `bulk_create`; members, events and stints, the bulk of the
data, with ids assigned here and PostgreSQL `COPY` or SQLite `executemany`, one transaction per
batch), member histories are validated and turned into stints by the same
`lifecycle.derive_stints` the services use, and the closure and figures ledger are rebuilt once at
the end. The loader assumes it is the only writer of members while it runs (it hands out ids). The single-change services stay the path for
everything a user does; this is the path for data that arrives by the hundred thousand.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from grassroots.audit.services import Actor, record
from grassroots.core.rows import append_rows
from grassroots.core.text import fold
from grassroots.derived.maintain import rebuild_all
from grassroots.members import categories, lifecycle
from grassroots.members.models import Member, MemberEvent, MemberStint
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.tree import KindVersion, tree_problems


@dataclass
class VersionSpec:
    valid_from: dt.date
    valid_to: dt.date | None
    name: str
    kind: str
    grassroots_type: str = ""
    parent: str | None = None  # parent's code


@dataclass
class UnitSpec:
    code: str
    established: dt.date
    ended: dt.date | None
    versions: list[VersionSpec]


@dataclass
class EventSpec:
    kind: str
    date: dt.date
    unit: str | None = None  # code
    decision_date: dt.date | None = None
    decision_number: str = ""
    issuing_body: str = ""
    discipline_form: str = ""
    place: str = ""
    note: str = ""


class StintSpec(NamedTuple):
    """A stint already derived (and checked) by the caller, with units as codes."""

    unit: str
    start: dt.date
    end: dt.date | None
    status: str
    exempt: bool
    start_reason: str
    end_reason: str
    came_from: str | None
    went_to: str | None
    recognized: bool

    @classmethod
    def of(cls, stint: lifecycle.Stint) -> StintSpec:
        return cls(
            stint.unit_id,
            stint.start,
            stint.end,
            str(stint.status),
            stint.exempt,
            str(stint.start_reason),
            str(stint.end_reason),
            stint.came_from,
            stint.went_to,
            stint.recognized,
        )


@dataclass
class MemberSpec:
    profile: dict
    events: list[EventSpec] = field(default_factory=list)
    # The member's stints when the caller has already derived them from these same events with
    # lifecycle.derive_stints and checked them against the tree (the Excel import does, with
    # UnitChecker.check_stints); None: the loader derives (and, with validate, checks) them.
    stints: list[StintSpec] | None = None


class BulkLoader:
    def __init__(
        self, *, batch_size: int = 5000, validate: bool = True, expected_members: int = 0
    ) -> None:
        """`expected_members`: how many members the caller is about to add, if it knows (see
        `_defer_indexes`)."""
        self.batch_size = batch_size
        self.validate = validate
        self.expected_members = expected_members
        self._deferred_indexes: list[str] | None = None  # CREATE INDEX statements to run again
        self.unit_ids: dict[str, int] = dict(Unit.objects.values_list("code", "pk"))
        self.cell_ids: set[int] = set(
            UnitVersion.objects.filter(kind__in=MEMBER_KINDS).values_list("unit_id", flat=True)
        )
        self.lifetimes: dict[int, tuple[dt.date, dt.date | None]] = {
            pk: (est, end)
            for pk, est, end in Unit.objects.values_list("pk", "established", "ended")
        }
        self.pending: list[MemberSpec] = []
        self.member_ids: list[int] = []  # ids of the members written, in the order added
        self.counts = {"units": 0, "unit_versions": 0, "members": 0, "events": 0, "stints": 0}
        self._next_id: dict[type, int] = {}
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # Durability per batch is not needed while loading a dataset that can be loaded again;
            # the settings' synchronous=NORMAL is put back in finish().
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-262144")

    def _ids(self, model: type, n: int) -> int:
        """Reserve n ids for `model`; return the last id used before them."""
        if model not in self._next_id:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                self._next_id[model] = cursor.fetchone()[0]
        first = self._next_id[model]
        self._next_id[model] = first + n
        return first

    # Units -----------------------------------------------------------------
    def add_units(self, specs: list[UnitSpec]) -> None:
        """Write units (parents may come in any order within the list), after checking them
        against the tree rules the services enforce (organizations.tree.tree_problems)."""
        if self.validate:
            self._check_tree(specs)
        units = [Unit(code=s.code, established=s.established, ended=s.ended) for s in specs]
        Unit.objects.bulk_create(units, batch_size=self.batch_size)
        for unit in units:
            self.unit_ids[unit.code] = unit.pk
            self.lifetimes[unit.pk] = (unit.established, unit.ended)
        versions = []
        for spec in specs:
            for v in spec.versions:
                unit_id = self.unit_ids[spec.code]
                versions.append(
                    UnitVersion(
                        unit_id=unit_id,
                        valid_from=v.valid_from,
                        valid_to=v.valid_to,
                        name=v.name,
                        kind=v.kind,
                        grassroots_type=v.grassroots_type,
                        parent_id=self.unit_ids[v.parent] if v.parent else None,
                    )
                )
                if v.kind in MEMBER_KINDS:
                    self.cell_ids.add(unit_id)
        UnitVersion.objects.bulk_create(versions, batch_size=self.batch_size)
        self.counts["units"] += len(units)
        self.counts["unit_versions"] += len(versions)

    def _check_tree(self, specs: list[UnitSpec]) -> None:
        from django.core.exceptions import ValidationError

        versions = [
            KindVersion(s.code, v.kind, v.parent, v.valid_from, v.valid_to)
            for s in specs
            for v in s.versions
        ]
        lifetimes = {s.code: (s.established, s.ended) for s in specs}
        outside = {v.parent for v in versions if v.parent and v.parent not in lifetimes}
        # Parents already in the database: their versions say when they exist and of what kind;
        # they are not checked again (their own parents are not loaded).
        existing = [
            KindVersion(code, kind, parent, start, end)
            for code, kind, parent, start, end in UnitVersion.objects.filter(
                unit__code__in=outside
            ).values_list("unit__code", "kind", "parent__code", "valid_from", "valid_to")
        ]
        problems = tree_problems(versions, lifetimes, existing=existing)
        if problems:
            raise ValidationError(problems)

    # Members ---------------------------------------------------------------
    def add_member(self, spec: MemberSpec) -> None:
        self.pending.append(spec)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def _exists(self, unit_id: int, day: dt.date) -> bool:
        start, end = self.lifetimes[unit_id]
        return start <= day and (end is None or day < end)

    def _derive(self, spec: MemberSpec) -> list:
        """The member's stints as rows (unit_id, start, end, status, exempt, start_reason,
        end_reason, came_from_id, went_to_id, recognized)."""
        unit_ids = self.unit_ids
        if spec.stints is not None:
            return [
                (
                    unit_ids[st.unit],
                    st.start,
                    st.end,
                    st.status,
                    st.exempt,
                    st.start_reason,
                    st.end_reason,
                    unit_ids[st.came_from] if st.came_from else None,
                    unit_ids[st.went_to] if st.went_to else None,
                    st.recognized,
                )
                for st in spec.stints
            ]
        evs = [
            lifecycle.Ev(
                e.kind,
                e.date,
                unit_ids[e.unit] if e.unit else None,
                e.decision_date,
                e.discipline_form,
                i,
            )
            for i, e in enumerate(spec.events)
        ]
        if self.validate:
            stints = lifecycle.derive_stints(evs, self._exists, self.cell_ids.__contains__)
        else:
            stints = lifecycle.derive_stints(evs)
        return [
            (
                st.unit_id,
                st.start,
                st.end,
                str(st.status),
                st.exempt,
                str(st.start_reason),
                str(st.end_reason),
                st.came_from,
                st.went_to,
                st.recognized,
            )
            for st in stints
        ]

    def _defer_indexes(self) -> None:
        """SQLite, when this load at least doubles the member tables: drop their secondary
        indexes now and build them again in `restore_indexes` (one sort per index instead of a
        random B-tree insertion per row: about half the write time of 100,000 members). Inside
        the load's transaction, so a rollback puts them back, and other connections never see
        the tables without them. PostgreSQL keeps its indexes: DDL there would lock the tables for the
        whole import and cannot run while the deferred foreign-key checks are pending."""
        self._deferred_indexes = []
        if connection.vendor != "sqlite" or not self.expected_members:
            return
        tables = [model._meta.db_table for model in (Member, MemberEvent, MemberStint)]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {tables[0]}")
            if cursor.fetchone()[0] > self.expected_members:
                return
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN (%s, %s, %s) ORDER BY name",
                tables,
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self._deferred_indexes = [sql for _, sql in indexes]

    def restore_indexes(self) -> None:
        """Build again the indexes dropped for the load (call before anything reads the member
        tables by index; finish() does it)."""
        if self._deferred_indexes:
            with connection.cursor() as cursor:
                for sql in self._deferred_indexes:
                    cursor.execute(sql)
            self._deferred_indexes = []

    def flush(self) -> None:
        if not self.pending:
            return
        if self._deferred_indexes is None:
            self._defer_indexes()
        specs, self.pending = self.pending, []
        derived = [self._derive(spec) for spec in specs]
        member_rows, event_rows, stint_rows = [], [], []
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        member_id = self._ids(Member, len(specs))
        event_id = self._ids(MemberEvent, sum(len(spec.events) for spec in specs))
        stint_id = self._ids(MemberStint, sum(len(ss) for ss in derived))
        unit_ids = self.unit_ids
        defaults, known, columns = _MEMBER_DEFAULTS, _MEMBER_DEFAULTS.keys(), _MEMBER_ROW
        for spec, member_stints in zip(specs, derived, strict=True):
            profile = spec.profile
            unknown = profile.keys() - known
            if unknown:
                raise TypeError(f"Member got unexpected fields: {sorted(unknown)}")
            member = {**defaults, **profile}
            if "search_name" not in profile:
                member["search_name"] = fold(profile["full_name"])
            member.update(categories.code_columns(member))
            # The held seniority (derived.member_seniority), from the events inserted with it:
            # in the order of entry, as their ids are given.
            member["seniority_held"], member["seniority_held_since"] = lifecycle.seniority_held(
                [
                    lifecycle.Ev(e.kind, e.date, None, e.decision_date, "", i)
                    for i, e in enumerate(spec.events)
                ]
            )
            member_id += 1
            member["id"] = member_id
            member_rows.append(columns(member))
            for e in spec.events:
                event_id += 1
                event_rows.append(
                    (
                        event_id,
                        member_id,
                        str(e.kind),
                        e.date,
                        unit_ids[e.unit] if e.unit else None,
                        e.decision_number,
                        e.decision_date,
                        e.issuing_body,
                        e.discipline_form,
                        e.place,
                        e.note,
                        now,
                        None,
                        "",
                        None,
                    )
                )
            for st in member_stints:
                stint_id += 1
                stint_rows.append((stint_id, member_id, *st))
        with transaction.atomic():
            _insert(Member, [f.column for f in _MEMBER_FIELDS], member_rows)
            _insert(MemberEvent, _EVENT_COLUMNS, event_rows)
            _insert(MemberStint, _STINT_COLUMNS, stint_rows)
            _sync_sequences((Member, MemberEvent, MemberStint))
        self.member_ids.extend(range(member_id - len(member_rows) + 1, member_id + 1))
        self.counts["members"] += len(member_rows)
        self.counts["events"] += len(event_rows)
        self.counts["stints"] += len(stint_rows)

    def finish(
        self, *, actor: Actor | None = None, label: str = "bulk load", progress=None
    ) -> dict:
        """Flush, rebuild closure and ledger, and leave one audit record describing the load."""
        self.flush()
        self.restore_indexes()
        if connection.vendor == "postgresql" and self.counts["members"]:
            # Until autovacuum gets round to them, the planner would plan for the tables as they
            # were before the load: a re-import of the same 100,000 members right after spent
            # 5.5 s of server CPU on its lookups instead of 0.9 s. (About 0.7 s per 100,000.)
            with connection.cursor() as cursor:
                for model in (Member, MemberEvent, MemberStint):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        rebuild_all(progress=progress)
        if connection.vendor == "postgresql" and self.counts["units"]:
            # The same for the tree: with stale statistics a 5.6M-member country planned
            # population_at as a scan of every unit version (80 ms for any figure) until ANALYZE.
            with connection.cursor() as cursor:
                for model in (Unit, UnitVersion, UnitAncestry):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
        if actor is not None and self.counts["members"] + self.counts["units"]:
            anchor = Unit.objects.order_by("pk").first()
            record(
                actor,
                obj=anchor,
                action="bulk_load",
                changes={"counts": [None, dict(self.counts)]},
                reason=label,
                object_type="dataset",
            )
        return dict(self.counts)


_MEMBER_FIELDS = Member._meta.concrete_fields
# A profile dict becomes a row with the model's defaults for what it leaves out.
_MEMBER_DEFAULTS = {
    f.attname: (f.get_default() if f.has_default() or not f.null else None) for f in _MEMBER_FIELDS
}
_MEMBER_ROW = operator.itemgetter(*(f.attname for f in _MEMBER_FIELDS))
_EVENT_COLUMNS = [
    MemberEvent._meta.get_field(name).column
    for name in (
        "id",
        "member",
        "kind",
        "date",
        "unit",
        "decision_number",
        "decision_date",
        "issuing_body",
        "discipline_form",
        "place",
        "note",
        "recorded_at",
        "voided_at",
        "void_reason",
        "corrected_by",
    )
]
_STINT_COLUMNS = [
    MemberStint._meta.get_field(name).column
    for name in (
        "id",
        "member",
        "unit",
        "start",
        "end",
        "status",
        "exempt",
        "start_reason",
        "end_reason",
        "came_from",
        "went_to",
        "recognized",
    )
]


def _insert(model: type, columns: list[str], rows: list) -> None:
    """Append rows with explicit ids to a model's table."""
    append_rows(model._meta.db_table, columns, rows)


def _sync_sequences(models) -> None:
    """After explicit ids, move PostgreSQL's identity sequences past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            # MAX(id) is read from the primary key's index (no COUNT(*): that reads the table).
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(top, 1), "
                f"top IS NOT NULL) FROM (SELECT MAX(id) AS top FROM {table}) AS t"
            )
