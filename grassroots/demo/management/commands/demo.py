import time

from django.core.management import call_command

from grassroots.accounts.models import User
from grassroots.assessments.demo import seed_demo_ratings
from grassroots.assessments.schemes import ensure_schemes
from grassroots.cadres.demo import seed_demo_cadres
from grassroots.core.cli import GrassrootsCommand, number
from grassroots.demo.build import DEFAULT_SEED, PASSWORD, PERSONAS, build_demo, demo_exists
from grassroots.development.demo import seed_demo_pipeline
from grassroots.directives.demo import seed_demo_directives
from grassroots.inspection.demo import seed_demo_inspection
from grassroots.meetings import rollup
from grassroots.meetings.demo import seed_demo_meetings
from grassroots.plans.demo import seed_demo_plans


class Command(GrassrootsCommand):
    help = (
        "Tạo tỉnh mẫu Lạng Sơn (mã LS) từ tên thật: cây tổ chức 2000–nay, sắp xếp 01/07/2025, "
        "đảng viên và sự kiện; bỏ qua nếu cơ sở dữ liệu đã có LS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"hạt giống ngẫu nhiên (mặc định {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="quy mô (1.0 = cả tỉnh, khớp số liệu đã công bố; 0.05 = tỉnh nhỏ để thử)",
        )
        parser.add_argument(
            "--force", action="store_true", help="xóa toàn bộ cơ sở dữ liệu (flush) rồi tạo lại"
        )

    def handle(self, *args, seed: int, scale: float, force: bool, verbosity: int, **options):
        if demo_exists() and not force:
            self.stdout.write("Cơ sở dữ liệu đã có tỉnh mẫu LS; bỏ qua (dùng --force để tạo lại).")
            self._accounts()
            return
        if force:
            self.stderr.write("--force: xóa toàn bộ dữ liệu hiện có...")
            call_command("flush", interactive=False, verbosity=0)
        result = build_demo(seed=seed, scale=scale, progress=verbosity > 0)
        counts, timings = result["counts"], result["timings"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo tỉnh mẫu Lạng Sơn (seed {seed}, quy mô {scale}) trong {number(timings['total'], 1)} giây."
            )
        )
        self.stdout.write(
            f"  {number(counts['units'])} tổ chức, {number(counts['unit_versions'])} phiên bản, "
            f"{number(counts['members'])} đảng viên, {number(counts['events'])} sự kiện, "
            f"{number(counts['villages'])} thôn/bản/tổ dân phố."
        )
        self._accounts(result["accounts"])
        self._plans()
        self._ratings(seed, scale)
        self._development(seed)
        self._meetings(seed, scale)
        self._directives(seed)
        # Both wrote meetings in bulk (study sessions too): the monthly rollup once, after them.
        rollup.rebuild()
        self._inspection(seed)
        self._cadres(seed)

    def _plans(self) -> None:
        """The 2025 reorganization recorded as applied plans (plans/demo.py)."""
        started = time.monotonic()
        counts = seed_demo_plans("LS")
        self.stdout.write(
            f"Sắp xếp 01/07/2025: {number(counts['plans'])} kế hoạch đã thực hiện, "
            f"{number(counts['changes'])} thay đổi, trong {number(time.monotonic() - started, 1)} giây."
        )

    def _cadres(self, seed: int) -> None:
        """Committees through the terms, qualifications and courses (cadres/demo.py)."""
        started = time.monotonic()
        counts = seed_demo_cadres("LS", seed=seed)
        self.stdout.write(
            f"Cán bộ: {number(counts['terms'])} nhiệm kỳ, {number(counts['holdings'])} lượt giữ "
            f"chức danh, {number(counts['qualifications'])} văn bằng, {number(counts['courses'])} "
            f"lớp, {number(counts['enrolments'])} học viên, trong "
            f"{number(time.monotonic() - started, 1)} giây."
        )

    def _meetings(self, seed: int, scale: float) -> None:
        """Cell meetings of Đình Lập district (meetings/demo.py): 2017–2019 and since 2025."""
        started = time.monotonic()
        counts = seed_demo_meetings(seed=seed)
        self.stdout.write(
            f"Sinh hoạt chi bộ (huyện Đình Lập): {number(counts['meetings'])} buổi, "
            f"{number(counts['attendance_rows'])} lượt vắng / dự ngoài danh sách, trong "
            f"{number(time.monotonic() - started, 1)} giây"
            + (f"; tài khoản đảng viên {counts['account']}." if counts["account"] else ".")
        )

    def _directives(self, seed: int) -> None:
        """The Resolution 22 cascade (2008–2019), QĐ 132 and Chỉ thị 50 (directives/demo.py)."""
        started = time.monotonic()
        counts = seed_demo_directives("LS", seed=seed)
        self.stdout.write(
            f"Văn bản chỉ đạo: {number(counts['documents'])} văn bản, "
            f"{number(counts['study_sessions'])} buổi học tập, quán triệt "
            f"({number(counts['study_meetings'])} buổi toàn thể đảng viên), trong "
            f"{number(time.monotonic() - started, 1)} giây."
        )

    def _development(self, seed: int) -> None:
        """The member development pipeline (development/demo.py), consistent with the admissions."""
        started = time.monotonic()
        counts = seed_demo_pipeline("LS", seed=seed)
        self.stdout.write(
            f"Phát triển đảng viên: {number(counts['admitted_cases'])} hồ sơ đã kết nạp, "
            f"{number(counts['open_cases'])} hồ sơ đang xét, trong "
            f"{number(time.monotonic() - started, 1)} giây."
        )

    def _inspection(self, seed: int) -> None:
        """Cases and decisions for the registry's discipline and expulsion events since 2008, and
        yearly programmes (inspection/demo.py); the registry is not changed."""
        started = time.monotonic()
        counts = seed_demo_inspection("LS", seed=seed)
        self.stdout.write(
            f"Kiểm tra, giám sát, kỷ luật: {number(counts['cases'])} cuộc, "
            f"{number(counts['decisions'])} quyết định kỷ luật, {number(counts['programmes'])} "
            f"chương trình, trong {number(time.monotonic() - started, 1)} giây."
        )

    def _ratings(self, seed: int, scale: float) -> None:
        """Annual ratings 2008 onwards (here, not in build_demo, so tests that only need the
        registry stay fast). The published 2008 and 2017 shares (45,55% and 56,05%) are exact
        only for the full province's organization counts: smaller builds are not rated."""
        if scale < 1.0:
            self.stdout.write(
                "Không tạo xếp loại chất lượng: tỷ lệ công bố năm 2008 và 2017 chỉ khớp với quy mô 1.0."
            )
            return

        ensure_schemes()  # `--force` flushed the migration's rows too
        started = time.monotonic()
        self.stdout.write("Xếp loại chất lượng hằng năm (dữ liệu minh họa):")
        seed_demo_ratings("LS", seed=seed, log=lambda line: self.stdout.write("  " + line))
        self.stdout.write(f"  Xong trong {number(time.monotonic() - started, 1)} giây.")

    def _accounts(self, rows=None):
        if rows is None:
            rows = [
                (
                    u.username,
                    "superuser" if u.is_superuser else u.role,
                    u.scope.code if u.scope else "—",
                )
                for u in User.objects.filter(username__in=["admin", *PERSONAS])
                .select_related("scope")
                .order_by("username")
            ]
        self.stdout.write(f"Tài khoản mẫu (mật khẩu {PASSWORD}):")
        for username, role, scope in rows:
            self.stdout.write(f"  {username:<14} {role:<10} {scope}")
