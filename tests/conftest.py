import pytest


@pytest.fixture(autouse=True)
def _vietnamese(settings):
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture(autouse=True)
def _static_without_collectstatic(settings):
    # Production serves hashed names from collectstatic's manifest (grassroots serve collects);
    # tests render pages without collecting.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _seeded_rows(request, django_db_blocker):
    # A transactional test ends with a flush, which also empties the rows that migrations seed
    # (rating schemes, development rule sets); any later test in the run would then see a
    # database that `migrate` never leaves behind. Put them back before each database test.
    if not (
        request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("django_db_setup")
    from grassroots.assessments.schemes import ensure_schemes
    from grassroots.cadres.config import ensure_seeded as ensure_standards
    from grassroots.development.config import ensure_seeded

    with django_db_blocker.unblock():
        ensure_schemes()
        ensure_seeded()
        ensure_standards()
