"""`grassroots report review --unit CODE --since D --at D --out FILE` (.docx .xlsx .pdf .json);
`--out` may be repeated: the report is counted once and written in each format."""

from pathlib import Path

from django.http import Http404

from grassroots.accounts.access import get_report_unit_for_user
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg
from grassroots.excel.management.commands._common import Operator, user_or_none
from grassroots.reports.export import FORMATS
from grassroots.reports.services import ReportError, review_exports


class Command(GrassrootsCommand):
    help = (
        "Báo cáo: review = báo cáo sơ kết, tổng kết số liệu tổ chức đảng, đảng viên giữa hai ngày."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        review = sub.add_parser("review", help="báo cáo sơ kết, tổng kết giữa hai ngày")
        review.add_argument("--unit", required=True, help="mã tổ chức, ví dụ LS")
        review.add_argument("--since", required=True, type=date_arg, help="ngày đầu kỳ YYYY-MM-DD")
        review.add_argument("--at", required=True, type=date_arg, help="ngày cuối kỳ YYYY-MM-DD")
        review.add_argument(
            "--out",
            required=True,
            action="append",
            help="tệp .docx, .xlsx, .pdf hoặc .json (có thể ghi nhiều lần: mỗi tệp một định dạng)",
        )
        review.add_argument("--user", help="lập báo cáo với phạm vi của tài khoản này")
        review.add_argument(
            "--summary-file", help="tệp văn bản thay phần tóm tắt tự sinh (đã chỉnh sửa)"
        )

    def handle(self, *args, report, unit, since, at, out, user, summary_file, **options):
        targets = {Path(path).suffix.lower().lstrip("."): Path(path) for path in out}
        if not set(targets) <= set(FORMATS) or len(targets) < len(out):
            raise BadArgument(
                "Tệp kết quả phải có đuôi .docx, .xlsx, .pdf hoặc .json, mỗi định dạng một tệp."
            )
        account = user_or_none(user)
        try:
            unit_obj = get_report_unit_for_user(account or Operator(), unit, [since, at])
        except Http404:
            raise BadArgument(
                f"Không có tổ chức mã {unit} (hoặc ngoài phạm vi tài khoản)."
            ) from None
        summary = Path(summary_file).read_text(encoding="utf-8") if summary_file else None
        try:
            _review, files = review_exports(
                actor=Actor(account, Source.CLI),
                unit=unit_obj,
                since=since,
                at=at,
                fmts=list(targets),
                summary=summary,
            )
        except ReportError as error:
            raise BadArgument(str(error)) from None
        for fmt, path in targets.items():
            path.write_bytes(files[fmt])
            self.stdout.write(f"Đã lập báo cáo {path}")
