"""One endpoint for every organization or member picker (issue 11: targets were typed as internal
codes). The form fields stay plain code inputs (`PickerInput`); web/static/web/picker.js turns
them into a diacritics-insensitive autocomplete when scripts run, and the code field still works
when they do not. Results are limited to the user's scope through accounts/access.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils import timezone

from grassroots.accounts import access
from grassroots.core.dates import vn
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import find_units

# Which organizations a field offers: cells hold members (a transfer's target); any for the rest.
KINDS = {
    "cell": (Kind.GRASSROOTS_CELL, Kind.SUBORDINATE_CELL),
    "parent": (
        Kind.PROVINCE,
        Kind.DISTRICT,
        Kind.GRASSROOTS_COMMITTEE,
        Kind.PARTIAL_COMMITTEE,
    ),
}
LIMIT = 20


class PickerInput(forms.TextInput):
    """A code input that picker.js completes from `pick/` (`what`: "unit" or "member")."""

    def __init__(self, what: str = "unit", kinds: str = "", attrs=None):
        attrs = {"data-pick": what, "autocomplete": "off", **(attrs or {})}
        if kinds:
            attrs["data-kinds"] = kinds
        super().__init__(attrs)


@login_required
def pick(request):
    text = request.GET.get("q", "").strip()[:100]
    if request.GET.get("type") == "member":
        results = _members(request.user, text) if len(text) >= 2 else []
    else:
        results = _units(request.user, text, request.GET.get("kinds", "")) if text else []
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


def _units(user, text: str, kinds: str) -> list[dict]:
    today = timezone.localdate()
    versions = access.versions_visible_on(user, today)
    matches = find_units(versions, text, today, kinds=KINDS.get(kinds), limit=LIMIT)
    return [
        {
            "value": m.code,
            "label": m.name,
            "detail": " · ".join(part for part in (str(m.kind), m.parent_name) if part),
        }
        for m in matches
    ]


def _members(user, text: str) -> list[dict]:
    found = access.find_members(user, text)
    return [
        {
            "value": m.profile_number,
            "label": m.full_name,
            "detail": " · ".join(
                part
                for part in (vn(m.birth_date) if m.birth_date else "", m.profile_number)
                if part
            ),
        }
        for m in found.members[:LIMIT]
    ]
