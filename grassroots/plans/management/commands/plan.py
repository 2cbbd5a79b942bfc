"""`grassroots plan check FILE [--json]` and `grassroots plan apply FILE`: a workbook of
organization changes as one restructure plan (docs/restructure.md, docs/cli.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.cli import BadArgument, GrassrootsCommand, dumps, number
from grassroots.excel.management.commands._common import user_or_none
from grassroots.plans import services
from grassroots.plans.models import Source as PlanSource
from grassroots.plans.preview import rehearse
from grassroots.plans.workbook import deciding_unit, read_plan

SHOWN = (
    "members",
    "official_members",
    "probationary_members",
    "grassroots_organizations",
    "villages",
)


class Command(GrassrootsCommand):
    help = (
        "Kiểm tra (check) hoặc thực hiện (apply) một tệp thay đổi tổ chức như một kế hoạch sắp xếp."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["check", "apply"])
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="check: in kết quả dạng JSON")
        parser.add_argument("--user", help="với quyền và phạm vi của tài khoản này")
        parser.add_argument("--name", help="apply: tên kế hoạch (mặc định: tên tệp)")

    def handle(self, *args, action, file, json, user, name, **options):
        if not Path(file).is_file():
            raise BadArgument(f"Không có tệp {file}")
        account = user_or_none(user)
        actor = Actor(account, Source.CLI)
        parsed = read_plan(file, Path(file).name, user=account)
        if action == "check":
            self._check(actor, parsed, json)
        else:
            self._apply(actor, parsed, name or Path(file).name, file)

    def _check(self, actor, parsed, as_json: bool) -> None:
        problems = list(parsed.problems)
        preview = None
        if parsed.changes and not parsed.problems:
            try:
                preview = rehearse(actor, parsed.changes, parsed.effective_date)
            except (ValidationError, PermissionDenied) as exc:
                problems += getattr(exc, "messages", [str(exc)])
            else:
                problems += [str(p) for p in preview.problems]
        if as_json:
            payload = preview.as_json() if preview else {"affected": []}
            payload["problems"] = problems
            payload["ok"] = not problems
            self.stdout.write(dumps(payload))
        else:
            for message in problems:
                self.stderr.write(message)
            if preview is not None:
                self._print_preview(preview)
        if problems:
            raise CommandError(f"Có {len(problems)} lỗi trong kế hoạch.", returncode=1)
        if not as_json:
            self.stdout.write("Kiểm tra xong, không có lỗi (chưa ghi gì).")

    def _print_preview(self, preview) -> None:
        self.stdout.write(
            f"Ngày hiệu lực {preview.day:%d/%m/%Y}: {len(preview.affected)} tổ chức bị ảnh hưởng"
        )
        for a in preview.affected:
            before, after = a["before"] or {}, a["after"] or {}
            cells = "  ".join(
                f"{key} {number(before.get(key)) if before else '—'}→{number(after.get(key)) if after else '—'}"
                for key in SHOWN
            )
            self.stdout.write(f"  {a['code']:<16} {cells}")
        self.stdout.write(
            f"Đảng viên đổi chi bộ: {number(len(preview.members))}; "
            f"thôn, tổ dân phố đổi xã: {number(len(preview.villages))}"
        )

    def _apply(self, actor, parsed, name: str, file: str) -> None:
        if parsed.problems:
            for message in parsed.problems:
                self.stderr.write(message)
            raise CommandError(f"Có {len(parsed.problems)} lỗi: không ghi gì.", returncode=1)
        day = parsed.effective_date
        scope = deciding_unit(parsed.changes, day)
        if scope is None:
            raise CommandError("Kế hoạch không nêu tổ chức nào đã có trong hệ thống.", returncode=1)
        try:
            with transaction.atomic():
                plan = services.plan_import(
                    actor=actor,
                    name=name,
                    effective_date=day,
                    scope=scope,
                    changes=parsed.changes,
                    source=PlanSource.EXCEL,
                    source_name=Path(file).name,
                )
                plan = services.plan_apply(actor=actor, plan=plan)
        except services.PlanRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Có {len(exc.problems)} lỗi: không ghi gì.", returncode=1) from None
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                self.stderr.write(message)
            raise CommandError("Không ghi gì.", returncode=1) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã thực hiện kế hoạch #{plan.pk} “{plan.name}”: {plan.summary['changes']} thay đổi."
            )
        )
