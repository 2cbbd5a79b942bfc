"""The registry's pages: tree, organizations, members, events (web/urls.py)."""

from __future__ import annotations

from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, event_url, expect, member

RULES = {
    "": [Probe(lambda w: "/", expect(outsider=200, member=302), note="member: to own page")],
    # the picker (web/picker.py): only what the scope holds (FORBIDDEN checks the JSON)
    "pick/": [
        Probe(lambda w: "/pick/?q=mot", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=hai", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=quy&kinds=cell", expect(outsider=200)),
        Probe(lambda w: "/pick/?q=canary", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=ben", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=le van sau", expect(outsider=200)),
        Probe(lambda w: "/pick/?type=member&q=canary", expect(outsider=200)),
    ],
    "tree/": [
        Probe(lambda w: "/tree/", expect(outsider=200)),
        Probe(lambda w: "/tree/?at=2026-06-01", expect(outsider=200)),
    ],
    "tree/<str:code>/": [
        Probe(lambda w: "/tree/G1/", READ_IN_SCOPE),
        Probe(lambda w: "/tree/G1/?at=2026-06-01", READ_IN_SCOPE),
        Probe(lambda w: "/tree/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/tree/GQ/", ABSENT_FOR_P),
    ],
    "units/<str:code>/": [
        Probe(lambda w: "/units/C1/", READ_IN_SCOPE),
        Probe(
            lambda w: "/units/C1/?at=2026-06-01", READ_IN_SCOPE, note="clerk: after the dissolution"
        ),
        Probe(lambda w: "/units/G1/?at=2020-01-01&since=2005-01-01", READ_IN_SCOPE),
        Probe(lambda w: "/units/P/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/D2/", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/units/GQ/", ABSENT_FOR_P),
        Probe(lambda w: "/units/NOPE/", expect(404, 404, 404, 404, 302)),
    ],
    "units/<str:code>/admit/": [
        Probe(lambda w: "/units/C1/admit/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/units/GQ/admit/", ABSENT_FOR_P),
        Probe(lambda w: "/units/C1/admit/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "units/<str:code>/<str:action>/": [
        Probe(lambda w: "/units/G1/rename/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/units/GQ/rename/", ABSENT_FOR_P),
        Probe(lambda w: "/units/G1/dissolve/", expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "members/": [
        Probe(lambda w: "/members/?q=canary", expect(outsider=200)),
        Probe(lambda w: "/members/?q=ngoai tinh", expect(outsider=200)),
        Probe(lambda w: "/members/?q=le van sau", expect(outsider=200)),
        Probe(lambda w: "/members/?q=tran", expect(outsider=200)),
    ],
    "members/<int:pk>/": [
        Probe(member("inside"), READ_IN_SCOPE),
        Probe(member("later"), expect(clerk=404)),
        Probe(member("neighbour"), expect(clerk=404, viewer=404)),
        Probe(member("canary"), ABSENT_FOR_P),
    ],
    "members/<int:pk>/edit/": [
        Probe(
            member("inside", "edit/"), expect(clerk=403, viewer=403), note="clerk: read-only past"
        ),
        Probe(member("canary", "edit/"), ABSENT_FOR_P),
        Probe(member("inside", "edit/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "members/<int:pk>/events/<str:kind>/": [
        Probe(member("inside", "events/transfer/"), expect(clerk=403, viewer=403)),
        Probe(member("canary", "events/death/"), ABSENT_FOR_P),
        Probe(member("inside", "events/death/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "events/<int:pk>/void/": [
        Probe(event_url("inside", "void/"), expect(clerk=403, viewer=403)),
        Probe(event_url("canary", "void/"), ABSENT_FOR_P),
        Probe(event_url("inside", "void/"), expect(200, 403, 403, 404, 302), "post", {}),
    ],
    "events/<int:pk>/correct/": [
        Probe(event_url("inside", "correct/"), expect(clerk=403, viewer=403)),
        Probe(event_url("canary", "correct/"), ABSENT_FOR_P),
    ],
}
