"""The rating schemes as data. The data migration seeds them; `ensure_schemes` puts them back
after anything that empties the tables without migrating (`flush`, `grassroots demo --force`,
a restore of an old dump), since a year cannot be rated without its scheme."""

from importlib import import_module

from django.apps import apps
from django.db import transaction


@transaction.atomic
def ensure_schemes() -> bool:
    """Seed the schemes if there are none. Returns True when it seeded."""
    if apps.get_model("assessments", "Scheme").objects.exists():
        return False
    import_module("grassroots.assessments.migrations.0002_seed_schemes").seed(apps, None)
    return True
