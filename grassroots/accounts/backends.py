"""Authentication that refuses every login, even with the right password, while locked out.

Being a backend, it guards every login path (our login page, the Django admin, anything that
calls `authenticate`), not just one view.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from grassroots.core.request import client_address

from . import lockout


class LockoutBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in user of each request, with their scope in the same statement: nearly
        every page checks the scope (accounts.access), which read it apart (one statement more
        per page, docs/performance.md "Session 10"); API tokens read it so already."""
        try:
            user = get_user_model()._default_manager.select_related("scope").get(pk=user_id)
        except ObjectDoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if lockout.is_locked(username, client_address(request)):
            # `authenticate` turns this into a failed login (user_login_failed is sent).
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
