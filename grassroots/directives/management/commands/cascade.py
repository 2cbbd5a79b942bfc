"""`grassroots cascade --document "22-NQ/TW" --unit CODE --at D [--json]`: who below has
studied a document, issued their plan, filed their reviews, and what is late (docs/directives.md)."""

from django.core.management.base import CommandError

from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.directives import queries
from grassroots.directives.kinds import parse_symbol
from grassroots.directives.models import Document
from grassroots.organizations.cli import unit_arg

PENDING_EXIT = 75


def document_arg(text: str, issuer: str = "") -> Document:
    parsed = parse_symbol(text)
    if parsed is None:
        raise BadArgument(f"Số và ký hiệu không đúng dạng: {text}")
    rows = Document.objects.filter(symbol=str(parsed), voided_at__isnull=True)
    if issuer:
        rows = rows.filter(issuer__code=issuer) | rows.filter(central_body=issuer)
    found = list(rows.order_by("-date", "-id")[:2])
    if not found:
        raise BadArgument(f"Không có văn bản {parsed}")
    if len(found) > 1 and found[0].date.year == found[1].date.year:
        raise BadArgument(f"Có nhiều văn bản {parsed}: ghi thêm --issuer")
    return found[0]


class Command(GrassrootsCommand):
    help = "Theo dõi thực hiện văn bản xuống các cấp: kế hoạch, học tập, báo cáo, chậm."

    def add_arguments(self, parser):
        parser.add_argument("--document", required=True, help='số và ký hiệu, ví dụ "22-NQ/TW"')
        parser.add_argument("--issuer", default="", help="mã cơ quan ban hành nếu trùng số")
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--at", required=True, type=date_arg, help="ngày (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        doc = document_arg(options["document"], options["issuer"])
        result = queries.cascade_figures(doc, unit, options["at"])
        if options["json"]:
            self.stdout.write(dumps(result))
        if result.get("pending"):  # exit status 75 (EX_TEMPFAIL): the figures come later
            raise CommandError(
                f"Số liệu theo dõi {doc.symbol} đang được tính lại (từ {result['pending_since']}):"
                " chạy lại sau.",
                returncode=PENDING_EXIT,
            )
        if options["json"]:
            return
        w = self.stdout.write
        w(f"{doc.symbol} — {unit.code} — ngày {options['at']:%d/%m/%Y}")
        w(f"Tổ chức phải thực hiện: {number(result['organizations'])}")
        w(f"Đã ban hành văn bản thực hiện: {number(result['plans_issued'])}")
        w(f"Chậm ban hành: {number(result['plans_late'])}")
        w(f"Buổi học tập: {number(result['study_sessions'])}")
        w(f"Tỷ lệ học tập: {number(result['study_coverage_pct'], 2)}%")
        w(f"Báo cáo sơ kết, tổng kết: {number(result['reports_filed'])}")
        for child in result["children"]:
            plan = child["plan"]["number"] if child["plan"] else "—"
            late = "; ".join(child["late"]) or ""
            w(f"  {child['code']:<12} {child['name'][:40]:<40} {plan:<16} {late}")
