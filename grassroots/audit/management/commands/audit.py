"""`grassroots audit verify`: recompute the audit trail's hash chain (audit/chain.py).

Exit 0 and the number of records and the last chain value when intact (keep that value off the
machine: it lets a later check notice records removed from the end); exit 1 naming the first
record that does not match when the trail was edited, deleted from or written to behind the
app's back."""

from django.core.management.base import CommandError

from grassroots.audit import chain
from grassroots.audit.models import AuditRecord
from grassroots.core.cli import GrassrootsCommand


class Command(GrassrootsCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký thay đổi (chuỗi băm)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        rows = (
            AuditRecord.objects.order_by("id")
            .values_list("id", "chain", *chain.FIELDS)
            .iterator(chunk_size=5000)
        )
        try:
            count, last, broken = chain.verify(rows)
        finally:
            rows.close()  # stopped at a broken record: close the server-side cursor now
        if broken is not None:
            raise CommandError(
                f"Nhật ký đã bị can thiệp: bản ghi #{broken.id} không khớp ({broken.reason}); "
                f"{count} bản ghi trước đó nguyên vẹn.",
                returncode=1,
            )
        self.stdout.write(f"Nhật ký nguyên vẹn: {count} bản ghi; mã cuối {last or '—'}.")
