"""Accounts: the administrator's pages and two-factor login (accounts/urls.py)."""

from __future__ import annotations

from .probes import ADMIN_ONLY, Probe, expect

RULES = {
    "accounts/": [Probe(lambda w: "/accounts/", ADMIN_ONLY)],
    "accounts/new/": [
        Probe(lambda w: "/accounts/new/", ADMIN_ONLY),
        Probe(
            lambda w: "/accounts/new/", expect(200, 403, 403, 200, 302), "post", {"username": ""}
        ),
    ],
    "accounts/<int:pk>/": [
        Probe(lambda w: f"/accounts/{w['clerk_d1'].pk}/", expect(200, 403, 403, 404, 302)),
        Probe(lambda w: f"/accounts/{w['outsider'].pk}/", expect(404, 403, 403, 200, 302)),
        Probe(
            lambda w: f"/accounts/{w['root'].pk}/",
            expect(404, 403, 403, 404, 302),
            note="above everyone",
        ),
        Probe(
            lambda w: f"/accounts/{w['clerk_d1'].pk}/",
            expect(200, 403, 403, 404, 302),
            "post",
            {"role": "admin"},
        ),
    ],
    "accounts/profile-views/": [Probe(lambda w: "/accounts/profile-views/", ADMIN_ONLY)],
    "accounts/password/": [
        Probe(lambda w: "/accounts/password/", expect(outsider=200, member=200)),
        Probe(
            lambda w: "/accounts/password/",
            expect(outsider=200, member=200),
            "post",
            {"old_password": "wrong", "password": "x", "password_again": "x"},
            note="own account only; a wrong current password is a form error",
        ),
    ],
    "accounts/2fa/": [
        Probe(lambda w: "/accounts/2fa/", ADMIN_ONLY, note="offered to administrators")
    ],
    "accounts/2fa/verify/": [
        Probe(
            lambda w: "/accounts/2fa/verify/",
            expect(302, 302, 302, 302, 302, member=302),
            note="nothing parked: back to login",
        ),
        Probe(
            lambda w: "/accounts/2fa/verify/",
            expect(302, 302, 302, 302, 302, member=302),
            "post",
            {"code": "123456"},
        ),
    ],
}
