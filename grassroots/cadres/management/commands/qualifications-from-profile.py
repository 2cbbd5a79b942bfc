"""`grassroots qualifications-from-profile [--dry-run] [--json]`: the profile's typed education,
professional level and political theory become dated qualifications (once; migration 0003 did
it for the data of its day); values that map to no level are listed (docs/cadres.md)."""

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.cadres.services import qualifications_from_profile
from grassroots.core.cli import GrassrootsCommand, dumps, number


class Command(GrassrootsCommand):
    help = (
        "Chuyển trình độ giáo dục, chuyên môn, lý luận chính trị từ hồ sơ thành trình độ có ngày."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="chỉ đếm, không ghi")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        plan = qualifications_from_profile(
            actor=Actor(None, Source.CLI), dry_run=options["dry_run"]
        )
        unmapped = [
            {"field": f, "value": text, "members": n}
            for (f, text), n in plan.unmapped.most_common()
        ]
        if options["json"]:
            self.stdout.write(dumps({"created": 0 if options["dry_run"] else len(plan.facts),
                                     "planned": len(plan.facts), "undated": plan.undated,
                                     "unmapped": unmapped}))  # fmt: skip
            return
        verb = "Sẽ tạo" if options["dry_run"] else "Đã tạo"
        self.stdout.write(f"{verb} {number(len(plan.facts))} trình độ có ngày từ hồ sơ; "
                          f"{number(plan.undated)} giá trị không có ngày để ghi; "
                          f"{number(len(unmapped))} giá trị chưa phân loại (giữ trong hồ sơ):")  # fmt: skip
        for row in unmapped:
            self.stdout.write(f"  {row['field']}: “{row['value']}” — {number(row['members'])}")
