"""/healthz: is this server usable? Database and worker liveness, and nothing about the data."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .liveness import live_workers


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


@never_cache
@require_GET
def healthz(request):
    databases = {alias: _database_ok(alias) for alias in connections}
    primary_ok = databases.get("default", False)
    try:
        workers = len(live_workers()) if primary_ok else 0
    except DatabaseError:
        workers = 0
    # 503 only when the primary is unreachable: without a worker the pages still work (imports
    # wait in the queue), so a load balancer should keep sending traffic; monitoring reads "worker".
    status = "ok" if all(databases.values()) and workers else "degraded"
    if not primary_ok:
        status = "down"
    return JsonResponse(
        {
            "status": status,
            "database": {alias: "ok" if ok else "down" for alias, ok in databases.items()},
            "workers": workers,
        },
        status=503 if not primary_ok else 200,
    )
