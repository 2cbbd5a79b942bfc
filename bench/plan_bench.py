"""Benchmark: a province's 2025-like reorganization as one restructure plan (issue 12).

    GRASSROOTS_VAR_DIR=... DATABASE_URL=... .venv/bin/python bench/plan_bench.py
        [--communes 200] [--into 60] [--districts 11] [--members 60000] [--later 0.05]
        [--provinces 33] [--cells 10 [--split]] [--others 60] [--approver]

Empties the database it is given (use a scratch one), bulk-loads one province before 2025
(districts, commune chi bộ cơ sở with their members: admission, recognition; through
bulkload.loader like the generator of grassroots/scale), then builds the plan the way a province
did: `into` new communes established under the province, every old commune merged into one of
them (its members moved by the merger), the districts dissolved. Prints the wall time of
validating (the whole plan played and rolled back, no preview), previewing (played, rolled back,
with the affected organizations' figures before/after, members and villages) and applying (one
transaction), with the counts; on PostgreSQL also the CPU its server backend spent on each step
(read from /proc). Targets (issue 12): validate and preview ≤ 30 s, apply ≤ 60 s.

`--provinces K` builds K such provinces (each its own tree, `--members` each: 33 × 170,000 is
the country's 5.6 million) in one database and applies each province's plan in turn, as the
country's 2025 reorganization was decided province by province: validate and preview are timed
on the first and the last province, every apply is timed and the total printed (target: the
whole country ≤ 30 min). It shows whether a plan's cost grows with the database around it.

`--cells K` gives the national generator's shape instead: each commune a đảng bộ cơ sở with K
chi bộ holding the members, so the mergers move chi bộ under the new communes, not members.

`--split` (with `--cells`) is the generator's own reform: each commune's chi bộ are dealt between
two new communes by one `move` row each, and the emptied đảng bộ xã is dissolved (200 dissolutions
and 2.000 moves a province at `--cells 10`) instead of merged.

`--others K` adds K other grassroots organizations (agencies, enterprises, schools: chi bộ cơ sở
holding their members, a third of all members) under each district; the plan moves each to the
province before the districts are dissolved, as the 2025 reorganization did (one `move` row
each: 660 a province at K = 60, the national average of non-commune grassroots organizations).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import sys
import time
from pathlib import Path

from pg_cpu import backend_cpu  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DAY = dt.date(2025, 7, 1)


def build(
    communes: int,
    districts: int,
    members: int,
    seed: int,
    later: float = 0.0,
    provinces: tuple[str, ...] = ("BP",),
    cells: int = 0,
    others: int = 0,
) -> None:
    from grassroots.bulkload.loader import BulkLoader

    loader = BulkLoader(batch_size=5000, expected_members=members * len(provinces))
    rng = random.Random(seed)
    for code in provinces:
        _province(loader, rng, code, communes, districts, members, later, cells, others)
    loader.finish(label="plan bench")


def _province(loader, rng, code, communes, districts, members, later, cells=0, others=0) -> None:
    from grassroots.bulkload.loader import EventSpec, MemberSpec, UnitSpec, VersionSpec
    from grassroots.members.models import EventKind, Gender
    from grassroots.organizations.models import GrassrootsType, Kind

    start = dt.date(1990, 1, 1)
    specs = [
        UnitSpec(
            code,
            start,
            None,
            [VersionSpec(start, None, f"Đảng bộ tỉnh {code}", Kind.PROVINCE, "", None)],
        )
    ]
    for d in range(districts):
        specs.append(
            UnitSpec(
                f"{code}-D{d:02d}",
                start,
                None,
                [VersionSpec(start, None, f"Huyện {d}", Kind.DISTRICT, "", code)],
            )
        )
    # `cells`: each commune is a đảng bộ cơ sở with that many chi bộ (the national generator's
    # shape), otherwise a chi bộ cơ sở holding its members itself.
    commune_kind, commune_name = (
        (Kind.GRASSROOTS_COMMITTEE, "Đảng bộ xã") if cells else (Kind.GRASSROOTS_CELL, "Chi bộ xã")
    )
    for c in range(communes):
        specs.append(
            UnitSpec(
                f"{code}-X{c:03d}",
                start,
                None,
                [
                    VersionSpec(
                        start,
                        None,
                        f"{commune_name} {c}",
                        commune_kind,
                        GrassrootsType.COMMUNE,
                        f"{code}-D{c % districts:02d}",
                    )
                ],
            )
        )
        for j in range(cells):
            specs.append(
                UnitSpec(
                    f"{code}-X{c:03d}-C{j:02d}",
                    start,
                    None,
                    [
                        VersionSpec(
                            start,
                            None,
                            f"Chi bộ {j}",
                            Kind.SUBORDINATE_CELL,
                            "",
                            f"{code}-X{c:03d}",
                        )
                    ],
                )
            )
    for d in range(districts):
        for k in range(others):
            specs.append(
                UnitSpec(
                    f"{code}-D{d:02d}-G{k:02d}",
                    start,
                    None,
                    [
                        VersionSpec(
                            start,
                            None,
                            f"Chi bộ cơ quan {d}.{k}",
                            Kind.GRASSROOTS_CELL,
                            GrassrootsType.AGENCY,
                            f"{code}-D{d:02d}",
                        )
                    ],
                )
            )
    loader.add_units(specs)
    for n in range(members):
        ceremony = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(9000))
        if others and rng.random() < 1 / 3:
            cell = f"{code}-D{rng.randrange(districts):02d}-G{rng.randrange(others):02d}"
        else:
            cell = f"{code}-X{rng.randrange(communes):03d}"
            if cells:
                cell += f"-C{rng.randrange(cells):02d}"
        official = dt.date(ceremony.year + 1, ceremony.month, min(ceremony.day, 28))
        events = [
            EventSpec(
                EventKind.ADMISSION, ceremony, cell, decision_date=ceremony - dt.timedelta(days=10)
            )
        ]
        if official < DAY - dt.timedelta(days=1) and ceremony.day <= 28:
            events.append(EventSpec(EventKind.OFFICIAL, official))
        if rng.random() < later:
            # Something recorded after the reorganization's day: the merger replays this
            # member's whole history instead of appending the move (members._plain_moves).
            events.append(EventSpec(EventKind.EXEMPTION, DAY + dt.timedelta(days=60)))
        profile = {
            "profile_number": f"{n:07d}{code}",
            "full_name": f"Nguyễn Văn {n}",
            "gender": Gender.MALE,
            "birth_date": dt.date(1960, 1, 1),
        }
        loader.add_member(MemberSpec(profile, events))


def changes(
    communes: int,
    districts: int,
    into: int,
    code: str = "BP",
    cells: int = 0,
    others: int = 0,
    split: bool = False,
):
    from grassroots.organizations.models import GrassrootsType, Kind
    from grassroots.restructure import plan as engine

    out = []
    for i in range(into):
        out.append(
            engine.Change(
                "establish",
                f"{code}-N{i:02d}",
                DAY,
                name=f"Xã mới {i}",
                # With cells: a merger of đảng bộ moves their chi bộ under the new one, the
                # members staying in their cells (the national generator's 2025 reform).
                kind=Kind.GRASSROOTS_COMMITTEE if cells else Kind.GRASSROOTS_CELL,
                grassroots_type=GrassrootsType.COMMUNE,
                parent=code,
            )
        )
    for c in range(communes):
        if split:  # the chi bộ dealt between two new communes, the đảng bộ xã dissolved
            for j in range(cells):
                new = f"{code}-N{(c + j % 2) % into:02d}"
                out.append(engine.Change("move", f"{code}-X{c:03d}-C{j:02d}", DAY, parent=new))
            out.append(engine.Change("dissolve", f"{code}-X{c:03d}", DAY))
            continue
        out.append(
            engine.Change("merge", f"{code}-X{c:03d}", DAY, target=f"{code}-N{c % into:02d}")
        )
    for d in range(districts):
        for k in range(others):  # the district's other grassroots organizations: to the province
            out.append(engine.Change("move", f"{code}-D{d:02d}-G{k:02d}", DAY, parent=code))
        out.append(engine.Change("dissolve", f"{code}-D{d:02d}", DAY))
    random.Random(3).shuffle(out)  # file order must not matter
    return out


def _step(prefix, name, run):
    """Run one step, under cProfile into PREFIX-name when profiling."""
    if not prefix:
        return run()
    import cProfile

    profile = cProfile.Profile()
    try:
        return profile.runcall(run)
    finally:
        profile.dump_stats(f"{prefix}-{name}")


def _approver(code: str):
    from grassroots.accounts.models import Role, User
    from grassroots.organizations.models import Unit

    user, _ = User.objects.get_or_create(
        username=f"approver-{code.lower()}",
        defaults={"scope": Unit.objects.get(code=code), "role": Role.APPROVER},
    )
    return user


def _server(before: float | None) -> str:
    after = backend_cpu()
    return "" if before is None or after is None else f", server CPU {after - before:.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--into", type=int, default=60)
    parser.add_argument("--districts", type=int, default=11)
    parser.add_argument("--members", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cells",
        type=int,
        default=0,
        help="communes as đảng bộ with this many chi bộ each (the national generator's shape: "
        "the mergers move cells, not members)",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="with --cells: deal each commune's chi bộ between two new communes (move rows) and "
        "dissolve the commune, as the national generator's reform does, instead of merging",
    )
    parser.add_argument(
        "--others",
        type=int,
        default=0,
        help="other grassroots organizations under each district, moved to the province",
    )
    parser.add_argument(
        "--later",
        type=float,
        default=0.0,
        help="share of members with an event after the plan's day (an exemption)",
    )
    parser.add_argument(
        "--provinces",
        type=int,
        default=1,
        help="build this many provinces and apply each one's plan in turn (33: the country)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the provinces already in the database; apply only the plans not yet applied",
    )
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="PostgreSQL: VACUUM ANALYZE the database before the plans (as after any bulk load)",
    )
    parser.add_argument(
        "--approver",
        action="store_true",
        help="play each plan as the province's approver (a scoped user, as from the web) "
        "instead of the system",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="cProfile each step into PREFIX-validate, PREFIX-preview, PREFIX-apply (pstats)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.organizations.models import Unit
    from grassroots.plans.preview import rehearse
    from grassroots.restructure import plan as engine

    call_command("migrate", verbosity=0)
    codes = ("BP",) if args.provinces == 1 else tuple(f"B{k:02d}" for k in range(args.provinces))
    if args.keep and Unit.objects.filter(code=codes[-1]).exists():
        # The provinces are there: apply the plans not applied yet (their new communes absent).
        new = [f"{c}-N00" for c in codes]
        done = set(Unit.objects.filter(code__in=new).values_list("code", flat=True))
        codes = tuple(c for c, n in zip(codes, new, strict=True) if n not in done)
        print(f"database: {connection.vendor}; kept, {len(codes)} provinces left to apply")
    else:
        call_command("flush", verbosity=0, interactive=False)
        t = time.perf_counter()
        build(
            args.communes,
            args.districts,
            args.members,
            args.seed,
            args.later,
            codes,
            args.cells,
            args.others,
        )
        print(
            f"database: {connection.vendor}; built {len(codes)} × {args.members} members "
            f"({args.later:.0%} with an event after the day), {args.communes} communes, "
            f"{args.districts} districts each in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
    if args.vacuum and connection.vendor == "postgresql":
        # docs/deployment.md: VACUUM ANALYZE after a bulk load (the visibility map of index-only
        # scans); a server whose autovacuum is off never writes it otherwise.
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
    actor = Actor.system()
    shown = changes(
        args.communes, args.districts, args.into, "BP", args.cells, args.others, args.split
    )
    count = {a: sum(1 for c in shown if c.action == a) for a in ("merge", "move", "dissolve")}
    print(
        f"plan: {len(shown)} changes ({args.into} new communes, {count['merge']} mergers, "
        f"{count['move']} moves, {count['dissolve']} dissolutions), shuffled"
    )
    applied = 0.0
    for k, code in enumerate(codes):
        tag = "" if len(codes) == 1 else f"{code} "
        if args.approver:  # the province's own approver: every scope check really runs
            actor = Actor(_approver(code), Source.UI)
        # A fresh list for each step, as a user's plan is read again for each.
        plan = functools.partial(
            changes,
            args.communes,
            args.districts,
            args.into,
            code,
            args.cells,
            args.others,
            args.split,
        )
        if k in (0, len(codes) - 1):
            # Wall and CPU of this process (on PostgreSQL the server's CPU is not in the second).
            t, c, sc = time.perf_counter(), time.process_time(), backend_cpu()
            checked = _step(
                args.profile,
                "validate",
                lambda plan=plan, actor=actor: rehearse(actor, plan(), DAY, preview=False),
            )
            print(
                f"{tag}validate: {time.perf_counter() - t:.1f} s (CPU "
                f"{time.process_time() - c:.1f} s{_server(sc)}), {len(checked.problems)} problems"
            )
            t, c, sc = time.perf_counter(), time.process_time(), backend_cpu()
            shown = _step(
                args.profile, "preview", lambda plan=plan, actor=actor: rehearse(actor, plan(), DAY)
            )
            print(
                f"{tag}preview: {time.perf_counter() - t:.1f} s (CPU "
                f"{time.process_time() - c:.1f} s{_server(sc)}), {len(shown.affected)} "
                f"organizations, {len(shown.members)} members change cell"
            )
        t, c, sc = time.perf_counter(), time.process_time(), backend_cpu()

        def apply(plan=plan, actor=actor):
            with transaction.atomic():
                return engine.play(actor, plan())

        outcome = _step(args.profile, "apply" if k == 0 else f"apply-{code}", apply)
        assert not outcome.problems, outcome.problems[:5]
        took = time.perf_counter() - t
        applied += took
        print(
            f"{tag}apply: {took:.1f} s (CPU {time.process_time() - c:.1f} s{_server(sc)}), "
            f"{len(outcome.applied)} changes applied",
            flush=True,
        )
    if len(codes) > 1:
        print(f"all {len(codes)} provinces applied in {applied:.0f} s ({applied / 60:.1f} min)")


if __name__ == "__main__":
    main()
