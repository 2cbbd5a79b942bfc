"""`grassroots documents [--unit CODE] [--search TEXT] [--kind K] [--json]`: the register's
full-text search (docs/directives.md). Like every read of the CLI, it runs as the system: it
sees every document."""

from grassroots.core.cli import GrassrootsCommand, dumps
from grassroots.directives import queries
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Tìm văn bản trong sổ đăng ký (không phân biệt dấu)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="chỉ văn bản do tổ chức này và cấp dưới ban hành")
        parser.add_argument("--search", default="", help="từ cần tìm")
        parser.add_argument("--kind", default="", help="loại văn bản (nghi_quyet, ke_hoach, …)")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"]) if options["unit"] else None
        rows = queries.search_documents(
            None, options["search"], unit=unit, kind=options["kind"], limit=options["limit"]
        )
        found = [queries.document_json(d) for d in rows.select_related("parent")]
        if options["json"]:
            self.stdout.write(dumps({"search": options["search"], "documents": found}))
            return
        for doc in found:
            self.stdout.write(f"{doc['date']}  {doc['symbol']:<16} {doc['title']}")
