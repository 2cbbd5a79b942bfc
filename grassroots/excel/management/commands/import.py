"""`grassroots import FILE.xlsx [--dry-run]`: all-or-nothing import with every error listed."""

from django.core.management.base import CommandError
from tqdm import tqdm

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.cli import GrassrootsCommand
from grassroots.excel.importer import import_file

from ._common import user_or_none

LABELS = {"created": "tạo mới", "updated": "cập nhật", "unchanged": "không đổi"}


class Command(GrassrootsCommand):
    help = "Nhập tệp Excel (.xlsx) hoặc CSV theo mẫu. Có lỗi ở bất kỳ dòng nào thì không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra và báo cáo, không ghi"
        )
        parser.add_argument("--user", help="nhập với quyền và phạm vi của tài khoản này")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file, dry_run, user, no_progress, **options):
        account = user_or_none(user)
        bar = None
        phase = [None]

        def progress(name, done, total):
            nonlocal bar
            if no_progress:
                return
            if phase[0] != name:
                if bar is not None:
                    bar.close()
                bar = tqdm(
                    total=max(total, 1), desc=name, unit="dòng", leave=False, file=self.stderr._out
                )
                phase[0] = name
            bar.n = min(done, max(total, 1))
            bar.refresh()

        report = import_file(
            file,
            actor=Actor(account, Source.IMPORT),
            name=file,
            dry_run=dry_run,
            user=account,
            progress=progress,
        )
        if bar is not None:
            bar.close()
        for sheet, counts in report.counts.items():
            parts = ", ".join(f"{LABELS[k]} {v}" for k, v in counts.items() if v)
            self.stdout.write(f"{sheet}: {parts or 'không có dòng nào'}")
        for message in report.notices():
            self.stdout.write(message)
        if not report.ok:
            for message in report.messages():
                self.stderr.write(message)
            raise CommandError(f"Có {len(report.problems)} lỗi: không ghi dữ liệu nào.")
        if dry_run:
            self.stdout.write("Kiểm tra xong, không có lỗi (chạy thử: chưa ghi gì).")
        elif report.written:
            self.stdout.write(self.style.SUCCESS("Đã nhập xong."))
        else:
            self.stdout.write("Không có gì thay đổi.")
