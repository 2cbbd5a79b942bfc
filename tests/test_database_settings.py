"""Connection settings that pages depend on (docs/performance.md "Session 8")."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_postgresql_connections_run_without_jit():
    """JIT compiled the development board's statement for 3.0 of its 3.2 s: off for the app."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
