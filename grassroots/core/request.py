"""What the request says about where it came from (audit records, login lockout)."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address for lockout and the audit trail.

    Behind CLIENT_ADDRESS_PROXY_COUNT trusted proxies that each append the address they saw to
    CLIENT_ADDRESS_HEADER (X-Forwarded-For), the entry the outermost trusted proxy appended is the
    N-th from the right; everything left of it was sent by the client and can be forged
    (issue 20 §15). A header with fewer entries did not pass through every proxy: REMOTE_ADDR.
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")[:64]
    header = getattr(settings, "CLIENT_ADDRESS_HEADER", "")
    value = request.META.get(header, "") if header else ""
    entries = [entry.strip() for entry in value.split(",") if entry.strip()]
    proxies = max(1, getattr(settings, "CLIENT_ADDRESS_PROXY_COUNT", 1))
    if len(entries) < proxies:
        return remote
    return entries[-proxies][:64]
