"""`grassroots categories [--recode] [--json]`: the coded lists of the member profile's
free-text fields (members.categories) — whether the members' stored codes follow today's lists,
and the typed values no category covers, with their members (reported, never dropped).
`--recode` re-derives every member's codes after a commission changed its lists
(GRASSROOTS_MEMBER_CATEGORIES)."""

from grassroots.core.cli import GrassrootsCommand, dumps, number
from grassroots.derived import maintain
from grassroots.members import categories as cats


class Command(GrassrootsCommand):
    help = (
        "Danh mục mã hóa của trình độ, chuyên môn, lý luận chính trị, nghề nghiệp: "
        "các giá trị chưa phân loại; --recode mã hóa lại mọi đảng viên theo danh mục hiện hành."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--recode", action="store_true", help="mã hóa lại mọi đảng viên theo danh mục hiện hành"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, recode, json, **options):
        if recode:
            maintain.members_recode()
        report = {
            field: {
                "current": cats.codes_current([field]),
                "unmapped": dict(cats.stored_unmapped(field)),
            }
            for field in cats.FIELDS
        }
        if json:
            self.stdout.write(dumps(report))
            return
        for field, state in report.items():
            current = "" if state["current"] else " — mã lưu theo danh mục cũ, chạy --recode"
            members = sum(state["unmapped"].values())
            self.stdout.write(f"{field}: {number(members)} đảng viên chưa phân loại{current}")
            for raw, n in state["unmapped"].items():
                self.stdout.write(f"  {raw or '(trống)'}: {number(n)}")
