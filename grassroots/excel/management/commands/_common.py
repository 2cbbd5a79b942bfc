from django.contrib.auth import get_user_model

from grassroots.core.cli import BadArgument


class Operator:
    """The person at the server's command line: sees everything (access.sees_everything)."""

    is_active = True
    is_superuser = True
    is_authenticated = True
    pk = None

    def has_role(self, role):
        return True


def user_or_none(username):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise BadArgument(f"Không có tài khoản {username}.")
    return user
