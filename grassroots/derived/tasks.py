"""The derived data's background work, run by `grassroots worker` (django-tasks): a whole
document root's placed duties recomputed out of the writer's request (cascade_duties.defer)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from . import cascade_duties

logger = logging.getLogger("grassroots.worker")


@task()
def cascade_root_recompute(root_id: int) -> str:
    try:
        outcome = cascade_duties.recompute_pending(root_id)
    except Exception:
        # e.g. SQLite's lock not got within its timeout: the root must not stay pending for
        # good — release the claim and try again in a minute (the failure stays in the log)
        cascade_duties.release(root_id)
        if cascade_root_recompute.get_backend().supports_defer:
            later = timezone.now() + dt.timedelta(minutes=1)
            cascade_root_recompute.using(run_after=later).enqueue(root_id)
        raise
    if outcome == "again":  # whole-root changes kept coming while it computed
        logger.warning("cascade root %s still changing: queued again", root_id)
        cascade_root_recompute.enqueue(root_id)
    elif outcome == "busy" and cascade_root_recompute.get_backend().supports_defer:
        # another worker's claim: look again once it would have gone stale (a worker that died
        # mid-way leaves the root pending otherwise)
        later = timezone.now() + cascade_duties.CLAIM_STALE
        cascade_root_recompute.using(run_after=later).enqueue(root_id)
    return outcome
