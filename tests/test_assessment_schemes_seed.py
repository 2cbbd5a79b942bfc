"""Rating schemes come back after the tables were emptied without migrating (flush, demo --force)."""

import pytest
from django.core.management import call_command

from grassroots.assessments.models import Scheme
from grassroots.assessments.schemes import ensure_schemes

pytestmark = pytest.mark.django_db


# Transactional: `flush` cannot TRUNCATE inside the test's transaction once the autouse
# re-seeding (conftest `_seeded_rows`) has inserted rows with deferred foreign keys there
# (PostgreSQL: "pending trigger events", seen under pytest-xdist's test order).
@pytest.mark.django_db(transaction=True)
def test_ensure_schemes_reseeds_only_when_empty():
    count = Scheme.objects.count()
    assert count >= 5 and ensure_schemes() is False
    call_command("flush", interactive=False, verbosity=0)
    assert Scheme.objects.count() == 0
    assert ensure_schemes() is True
    assert Scheme.objects.count() == count
