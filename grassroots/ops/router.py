"""Read replicas (DATABASE_REPLICA_URLS): read-only work goes to a replica, everything else to the
primary, and a user who just wrote reads from the primary for a while (read-your-writes).

What may read from a replica is decided per request by ReplicaMiddleware: GET and HEAD requests
(pages, reports, statistics, exports, API GETs) of users who did not write in the last
READ_YOUR_WRITES_SECONDS. Never from a replica: POSTs and other writes, reads inside a transaction
on the primary (a service reads what it is about to change), the rest of a request once it wrote,
the CLI and the worker (no request: primary). Writes that only log a read (session, audit of a
token's use, profile views, token last-use) do not count as the user's writes.
"""

from __future__ import annotations

import contextvars
import random
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import connections

LOG_MODELS = {
    ("sessions", "session"),
    ("audit", "auditrecord"),
    ("audit", "profileview"),
    ("api", "apitoken"),
    ("ops", "workerheartbeat"),
}


@dataclass
class _Reads:
    allow_replica: bool
    wrote: bool = False


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("reads", default=None)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        reads = _reads.get()
        if reads is None or not reads.allow_replica or reads.wrote:
            return None  # the primary
        if connections["default"].in_atomic_block:
            return None
        names = replicas()
        return random.choice(names) if names else None

    def db_for_write(self, model, **hints):
        reads = _reads.get()
        if reads is not None and (model._meta.app_label, model._meta.model_name) not in LOG_MODELS:
            reads.wrote = True
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


@contextmanager
def replica_reads(allowed: bool = True):
    """Reads in this block may go to a replica (as in a GET request of a user who did not write)."""
    token = _reads.set(_Reads(allowed))
    try:
        yield _reads.get()
    finally:
        _reads.reset(token)


def _key(user) -> str:
    return f"wrote-{user.pk}"


def recently_wrote(user) -> bool:
    return bool(user is not None and user.is_authenticated and caches["shared"].get(_key(user)))


def remember_write(user) -> None:
    if user is not None and user.is_authenticated:
        caches["shared"].set(_key(user), 1, settings.READ_YOUR_WRITES_SECONDS)


def use_primary() -> None:
    """The rest of this request reads from the primary (e.g. a token whose account just wrote)."""
    reads = _reads.get()
    if reads is not None:
        reads.allow_replica = False


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        user = getattr(request, "user", None)
        allowed = request.method in ("GET", "HEAD") and not recently_wrote(user)
        with replica_reads(allowed) as reads:
            response = self.get_response(request)
        if reads.wrote:
            remember_write(getattr(request, "user", None))
        return response
