"""The running platform (ops/views.py): the health probe tells liveness only, no data."""

from __future__ import annotations

from .probes import Probe, expect

RULES = {
    "healthz": [Probe(lambda w: "/healthz", expect(200, 200, 200, 200, 200, member=200))],
}
