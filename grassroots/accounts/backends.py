"""Authentication that refuses every login, even with the right password, while locked out.

Being a backend, it guards every login path (our login page, the Django admin, anything that
calls `authenticate`), not just one view.
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from grassroots.core.request import client_address

from . import lockout


class LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if lockout.is_locked(username, client_address(request)):
            # `authenticate` turns this into a failed login (user_login_failed is sent).
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
