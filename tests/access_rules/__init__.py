"""The persona matrix's rows, one module per app (tests/test_access_matrix.py runs them).

Each module declares `RULES` (URL pattern → probes) and, if its pages need more than the shared
world of tests/test_access.py, `prepare(world, tmp_path)`. A new app adds its module and one line
to `APPS`; the matrix still fails on any URL pattern that no module lists.
"""

from __future__ import annotations

from . import (
    accounts,
    api,
    assessments,
    auth,
    cadres,
    development,
    directives,
    excel,
    inspection,
    meetings,
    ops,
    plans,
    registry,
    reports,
    territory,
)

APPS = (
    auth,
    accounts,
    registry,
    excel,
    assessments,
    territory,
    development,
    directives,
    inspection,
    cadres,
    meetings,
    ops,
    api,
    reports,
    plans,
)


def matrix() -> dict:
    rows: dict = {}
    for app in APPS:
        twice = set(rows) & set(app.RULES)
        assert not twice, f"{app.__name__} repeats patterns listed elsewhere: {sorted(twice)}"
        rows.update(app.RULES)
    return rows


def prepare(world: dict, tmp_path) -> None:
    for app in APPS:
        if hasattr(app, "prepare"):
            app.prepare(world, tmp_path)
