"""grassroots createadmin --username U --scope CODE [--password P]: a province administrator."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from grassroots.accounts import services
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.cli import BadArgument, GrassrootsCommand
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Tạo tài khoản quản trị cho một tổ chức (thường là đảng bộ tỉnh)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--scope", required=True, help="mã tổ chức, ví dụ LS")
        parser.add_argument(
            "--password", help="nếu bỏ trống, lệnh sẽ hỏi (không hiện trên màn hình)"
        )
        parser.add_argument("--name", default="", help="họ và tên")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, scope, password, name, email, **options):
        unit = unit_arg(scope)
        if not password:
            if not options.get("interactive", True) or not self.stdin_isatty():
                raise BadArgument("Cần --password khi không chạy tương tác.")
            password = getpass.getpass("Mật khẩu: ")
            if password != getpass.getpass("Nhập lại mật khẩu: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        try:
            user = services.account_create(
                actor=Actor(None, Source.CLI),
                username=username,
                password=password,
                scope=unit,
                role="admin",
                last_name=name,
                email=email,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Đã tạo quản trị viên {user.username}, phạm vi {unit}.")

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
