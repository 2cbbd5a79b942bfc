"""Logging in and out, and the language choice (web/auth_urls.py, Django's set_language)."""

from __future__ import annotations

from .probes import Probe, expect

RULES = {
    "login/": [Probe(lambda w: "/login/", expect(302, 302, 302, 302, 200, member=302))],
    "logout/": [Probe(lambda w: "/logout/", expect(405, 405, 405, 405, 405, member=405))],
    "i18n/setlang/": [
        Probe(
            lambda w: "/i18n/setlang/",
            expect(302, 302, 302, 302, 302, member=302),
            method="post",
            data={"language": "en", "next": "/"},
        ),
    ],
}
