"""Accounts for bench/load_locust.py on a generated dataset (`grassroots generate`), which has none.

    GRASSROOTS_VAR_DIR=... [DATABASE_URL=...] .venv/bin/python bench/load_setup.py > var/load.env

Creates (once) a clerk scoped to the largest commune committee of today (`N-NX…`, the most
members on --at, as the demo's `xa_canbo` is the clerk of a commune of today) and an API token of the same
account, and prints the environment lines the locust file reads: GRASSROOTS_CLERK,
GRASSROOTS_UNIT, GRASSROOTS_API_KEY. The password is the demo's. On the demo itself nothing is
needed but the token (create it on /api/tokens/ or with this script and --clerk xa_canbo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Grassroots@2026"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clerk", default="load_clerk")
    parser.add_argument("--at", default="2026-06-30")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from grassroots.accounts.models import Role, User
    from grassroots.accounts.services import account_create
    from grassroots.api.services import token_create
    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.figures.queries import figures
    from grassroots.organizations.models import Kind, UnitVersion
    from grassroots.organizations.queries import on

    at = dt.date.fromisoformat(args.at)
    user = User.objects.filter(username=args.clerk).first()
    if user is None:
        communes = UnitVersion.objects.filter(
            on(at), kind=Kind.GRASSROOTS_COMMITTEE, unit__code__contains="-NX"
        ).select_related("unit")
        commune = max(communes, key=lambda v: figures(v.unit, at).members).unit
        user = account_create(
            actor=Actor(None, Source.CLI),
            username=args.clerk,
            password=PASSWORD,
            scope=commune,
            role=Role.CLERK,
        )
    _token, key = token_create(actor=Actor(user, Source.CLI), name=f"load test {dt.datetime.now()}")
    print(f"GRASSROOTS_CLERK={user.username}")
    print(f"GRASSROOTS_UNIT={user.scope.code}")
    print(f"GRASSROOTS_API_KEY={key}")


if __name__ == "__main__":
    main()
