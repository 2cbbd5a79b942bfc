"""A member's own account (role "đảng viên", issue 14) opens its own pages and nothing else.

`access._scope_id` already gives such an account no subtree, so scoped pages find nothing; this
gate makes the rule explicit and uniform for every URL, including pages that list nothing for an
empty scope (search, reports, Excel, the API docs): anything but the pages below is refused with
403, and the home page leads to the member's own page. One list, tested by the persona matrix's
member persona on every URL pattern.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from .models import Role

# URL names a member account may open (namespace:name).
MEMBER_PAGES = frozenset(
    {
        "meetings:mine",
        "login",
        "logout",
        "set_language",
        "healthz",
        "accounts:password",
        "accounts:two_factor",
        "accounts:two_factor_verify",
    }
)
HOME = "web:home"
MEMBER_HOME = "meetings:mine"


class MemberGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "role", "") == Role.MEMBER:
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name.startswith("admin:"):
                return self.get_response(request)  # the Django admin: superusers only, itself
            if name == HOME:
                return redirect(MEMBER_HOME)
            if name and name not in MEMBER_PAGES:
                raise PermissionDenied("Tài khoản đảng viên chỉ xem được trang của mình.")
        return self.get_response(request)
