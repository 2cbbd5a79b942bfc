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
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from grassroots.audit.services import Actor, record
from grassroots.core.text import fold
from grassroots.members import lifecycle
from grassroots.members.models import Member, MemberEvent, MemberStint
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitVersion


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


@dataclass
class MemberSpec:
    profile: dict
    events: list[EventSpec] = field(default_factory=list)


class BulkLoader:
    def __init__(self, *, batch_size: int = 5000, validate: bool = True) -> None:
        self.batch_size = batch_size
        self.validate = validate
        self.unit_ids: dict[str, int] = dict(Unit.objects.values_list("code", "pk"))
        self.cell_ids: set[int] = set(
            UnitVersion.objects.filter(kind__in=MEMBER_KINDS).values_list("unit_id", flat=True)
        )
        self.lifetimes: dict[int, tuple[dt.date, dt.date | None]] = {
            pk: (est, end)
            for pk, est, end in Unit.objects.values_list("pk", "established", "ended")
        }
        self.pending: list[MemberSpec] = []
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

        from grassroots.organizations.tree import KindVersion, tree_problems

        versions = [
            KindVersion(s.code, v.kind, v.parent, v.valid_from, v.valid_to)
            for s in specs
            for v in s.versions
        ]
        lifetimes = {s.code: (s.established, s.ended) for s in specs}
        outside = {v.parent for v in versions if v.parent and v.parent not in lifetimes}
        for unit in Unit.objects.filter(code__in=outside):
            lifetimes[unit.code] = (unit.established, unit.ended)
        for code, kind, parent, start, end in UnitVersion.objects.filter(
            unit__code__in=outside
        ).values_list("unit__code", "kind", "parent__code", "valid_from", "valid_to"):
            versions.append(KindVersion(code, kind, parent, start, end))
        problems = tree_problems(versions, lifetimes)
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

    def flush(self) -> None:
        if not self.pending:
            return
        specs, self.pending = self.pending, []
        members = []
        for spec in specs:
            unknown = spec.profile.keys() - _MEMBER_DEFAULTS.keys()
            if unknown:
                raise TypeError(f"Member got unexpected fields: {sorted(unknown)}")
            profile = {**_MEMBER_DEFAULTS, **spec.profile}
            if "search_name" not in spec.profile:
                profile["search_name"] = fold(spec.profile["full_name"])
            members.append(profile)
        derived = []
        for spec in specs:
            evs = [
                lifecycle.Ev(
                    e.kind,
                    e.date,
                    self.unit_ids[e.unit] if e.unit else None,
                    e.decision_date,
                    e.discipline_form,
                    i,
                )
                for i, e in enumerate(spec.events)
            ]
            if self.validate:
                derived.append(
                    lifecycle.derive_stints(evs, self._exists, self.cell_ids.__contains__)
                )
            else:
                derived.append(lifecycle.derive_stints(evs))
        member_rows, event_rows, stint_rows = [], [], []
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        member_id = self._ids(Member, len(specs))
        event_id = self._ids(MemberEvent, sum(len(spec.events) for spec in specs))
        stint_id = self._ids(MemberStint, sum(len(ss) for ss in derived))
        unit_ids = self.unit_ids
        for member, spec, member_stints in zip(members, specs, derived, strict=True):
            member_id += 1
            member["id"] = member_id
            member_rows.append([member[f.attname] for f in _MEMBER_FIELDS])
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
                stint_rows.append(
                    (
                        stint_id,
                        member_id,
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
                )
        with transaction.atomic():
            _insert(Member, [f.column for f in _MEMBER_FIELDS], member_rows)
            _insert(MemberEvent, _EVENT_COLUMNS, event_rows)
            _insert(MemberStint, _STINT_COLUMNS, stint_rows)
            _sync_sequences((Member, MemberEvent, MemberStint))
        events, stints = event_rows, stint_rows
        self.counts["members"] += len(members)
        self.counts["events"] += len(events)
        self.counts["stints"] += len(stints)

    def finish(
        self, *, actor: Actor | None = None, label: str = "bulk load", progress=None
    ) -> dict:
        """Flush, rebuild closure and ledger, and leave one audit record describing the load."""
        from grassroots.organizations.services import rebuild_all

        self.flush()
        rebuild_all(progress=progress)
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
    """Append rows with explicit ids: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table, cols = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    elif connection.vendor == "sqlite":
        connection.connection.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['?'] * len(columns))})", rows
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows
            )


def _sync_sequences(models) -> None:
    """After explicit ids, move PostgreSQL's identity sequences past them (SQLite needs nothing)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}), (SELECT COUNT(*) > 0 FROM {table}))"
            )
