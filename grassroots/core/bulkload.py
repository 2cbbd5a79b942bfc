"""Loading whole datasets fast: the demo province, the national generator and big imports.

Rows are written in batches (`bulk_create`, one transaction), member histories are validated and
turned into stints by the same `lifecycle.derive_stints` the services use, and the closure and
figures ledger are rebuilt once at the end. The single-change services stay the path for
everything a user does; this is the path for data that arrives by the hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

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
            pk: (est, end) for pk, est, end in Unit.objects.values_list("pk", "established", "ended")
        }
        self.pending: list[MemberSpec] = []
        self.counts = {"units": 0, "unit_versions": 0, "members": 0, "events": 0, "stints": 0}

    # Units -----------------------------------------------------------------
    def add_units(self, specs: list[UnitSpec]) -> None:
        """Write units (parents may come in any order within the list)."""
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
            profile = dict(spec.profile)
            profile.setdefault("search_name", fold(profile["full_name"]))
            members.append(Member(**profile))
        derived = []
        for spec in specs:
            evs = [
                lifecycle.Ev(e.kind, e.date, self.unit_ids[e.unit] if e.unit else None, e.decision_date,
                             e.discipline_form, i)
                for i, e in enumerate(spec.events)
            ]
            if self.validate:
                derived.append(lifecycle.derive_stints(evs, self._exists, self.cell_ids.__contains__))
            else:
                derived.append(lifecycle.derive_stints(evs))
        with transaction.atomic():
            Member.objects.bulk_create(members, batch_size=self.batch_size)
            events, stints = [], []
            for member, spec, member_stints in zip(members, specs, derived, strict=True):
                for e in spec.events:
                    events.append(
                        MemberEvent(
                            member_id=member.pk, kind=e.kind, date=e.date,
                            unit_id=self.unit_ids[e.unit] if e.unit else None,
                            decision_date=e.decision_date, decision_number=e.decision_number,
                            issuing_body=e.issuing_body, discipline_form=e.discipline_form,
                            place=e.place, note=e.note,
                        )
                    )
                for s in member_stints:
                    stints.append(
                        MemberStint(
                            member_id=member.pk, unit_id=s.unit_id, start=s.start, end=s.end,
                            status=s.status, exempt=s.exempt, start_reason=s.start_reason,
                            end_reason=s.end_reason, came_from_id=s.came_from, went_to_id=s.went_to,
                        )
                    )
            MemberEvent.objects.bulk_create(events, batch_size=self.batch_size)
            MemberStint.objects.bulk_create(stints, batch_size=self.batch_size)
        self.counts["members"] += len(members)
        self.counts["events"] += len(events)
        self.counts["stints"] += len(stints)

    def finish(self, *, actor: Actor | None = None, label: str = "bulk load", progress=None) -> dict:
        """Flush, rebuild closure and ledger, and leave one audit record describing the load."""
        from grassroots.organizations.services import rebuild_all

        self.flush()
        rebuild_all(progress=progress)
        if actor is not None and self.counts["members"] + self.counts["units"]:
            anchor = Unit.objects.order_by("pk").first()
            record(actor, obj=anchor, action="bulk_load", changes={"counts": [None, dict(self.counts)]},
                   reason=label, object_type="dataset")
        return dict(self.counts)
