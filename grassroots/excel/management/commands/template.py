"""`grassroots template KIND FILE.xlsx`: an empty import workbook with instructions and drop-downs."""

from grassroots.core.cli import BadArgument, GrassrootsCommand
from grassroots.excel import schema
from grassroots.excel.workbooks import template_workbook


class Command(GrassrootsCommand):
    help = "Tạo tệp Excel mẫu để nhập dữ liệu. KIND: " + ", ".join(schema.KIND_NAMES)

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            help=", ".join(schema.KIND_NAMES) + " (cũng nhận organization-changes, member-events)",
        )
        parser.add_argument("file", help="đường dẫn tệp .xlsx sẽ tạo")
        parser.add_argument("--no-examples", action="store_true", help="không ghi các dòng ví dụ")

    def handle(self, *args, kind, file, no_examples, **options):
        try:
            wb = template_workbook(kind, examples=not no_examples)
        except KeyError:
            raise BadArgument(
                f"Loại mẫu không hợp lệ: {kind}. Chọn một trong: {', '.join(schema.KIND_NAMES)}."
            ) from None
        if not file.lower().endswith(".xlsx"):
            raise BadArgument("Tệp mẫu phải có đuôi .xlsx.")
        wb.save(file)
        self.stdout.write(f"Đã tạo {file}")
