"""`grassroots meetings-summary --unit CODE --from D --to D [--json]`: the meeting book's
figures for an organization and a period, through the restructured tree (docs/meetings.md)."""

from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.meetings import queries
from grassroots.organizations.cli import unit_arg

LABELS = {
    "cells": "Số chi bộ (cuối kỳ)",
    "meetings_due": "Lượt sinh hoạt thường kỳ phải tổ chức (chi bộ × tháng)",
    "meetings_held": "Số buổi sinh hoạt thường kỳ đã tổ chức",
    "missed_months": "Lượt chi bộ × tháng không sinh hoạt",
    "thematic_held": "Số buổi sinh hoạt chuyên đề",
    "attendance_pct": "Tỷ lệ đảng viên dự sinh hoạt (%)",
    "official_pct": "  trong đó đảng viên chính thức (%)",
    "probationary_pct": "  trong đó đảng viên dự bị (%)",
    "absent_3_months": "Đảng viên vắng không lý do từ 3 tháng trong năm",
    "short_meetings": "Buổi sinh hoạt không đủ thời lượng",
    "late_documents": "Buổi sinh hoạt đăng tài liệu muộn",
    "average_minutes": "Thời lượng bình quân (phút)",
    "quality_average": "Điểm tự đánh giá chất lượng sinh hoạt bình quân",
}


class Command(GrassrootsCommand):
    help = "Sinh hoạt chi bộ: số buổi phải và đã tổ chức, chuyên đề, tỷ lệ dự, danh sách theo dõi."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--from", dest="since", required=True, type=date_arg, help="từ ngày")
        parser.add_argument("--to", dest="until", required=True, type=date_arg, help="đến ngày")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        since, until = options["since"], options["until"]
        if until < since:
            raise BadArgument("Ngày kết thúc phải sau ngày bắt đầu.")
        result = queries.summary(unit, since, until)
        if options["json"]:
            self.stdout.write(dumps(result))
            return
        self.stdout.write(f"{unit.code}: từ {since:%d/%m/%Y} đến {until:%d/%m/%Y}")
        for key, label in LABELS.items():
            value = result[key]
            decimals = (
                2
                if key.endswith("pct")
                else 1
                if key in ("average_minutes", "quality_average")
                else 0
            )
            self.stdout.write(f"  {label:<58} {number(value, decimals):>10}")
