"""The meeting book: meetings of cells and committees, and the exceptions to "all present".

Storage (docs/meetings.md "Storage"): the expected list of a meeting is derived from the registry
on the meeting date (`expected.py`), never stored person by person. A meeting row keeps the
totals as recorded (expected and present by status, absent with and without reason), so figures
are sums over meetings; `Attendance` holds only the exceptions — each absent member, and each
person outside the expected list (exempt, temporarily away) who attended anyway. Nationally that
is ~3.6M meetings and a few million exception rows a year instead of ~70M attendance rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("Sinh hoạt thường kỳ")
    THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
    EXTRAORDINARY = "extraordinary", _("Sinh hoạt bất thường")
    COMMITTEE = "committee", _("Họp cấp ủy")
    # domain-processes.md §1.5: a resolution studied and applied (học tập, quán triệt); the
    # directives module records its sessions as meetings of this kind.
    STUDY = "study", _("Học tập, quán triệt nghị quyết")


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã thông qua")


class Role(models.TextChoices):
    """A person's place in the meeting's list on the meeting date (domain.md §5, the minutes'
    totals: official, probationary, temporarily attached; exempt, away and suspended are not
    expected)."""

    OFFICIAL = "official", _("Chính thức")
    PROBATIONARY = "probationary", _("Dự bị")
    ATTACHED = "attached", _("Sinh hoạt tạm thời")
    EXEMPT = "exempt", _("Miễn sinh hoạt")
    AWAY = "away", _("Đi sinh hoạt tạm thời nơi khác")
    # Đình chỉ sinh hoạt đảng (inspection.Suspension; domain-processes.md §3.7): listed, not
    # expected, and left out of the vote denominator (QĐ 24 §9.3.2, domain-processes.md).
    SUSPENDED = "suspended", _("Đình chỉ sinh hoạt đảng")


EXPECTED_ROLES = (Role.OFFICIAL, Role.PROBATIONARY, Role.ATTACHED)


class Mark(models.TextChoices):
    EXCUSED = "excused", _("Vắng có lý do")
    UNEXCUSED = "unexcused", _("Vắng không lý do")
    PRESENT = "present", _("Có mặt (ngoài danh sách)")


class Meeting(models.Model):
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="meetings",
        verbose_name=_("tổ chức"),
    )  # fmt: skip
    kind = models.CharField(_("loại"), max_length=16, choices=MeetingKind.choices)
    # A regular meeting that also holds the month's thematic part (Chỉ thị 50: ≥120 minutes).
    with_thematic = models.BooleanField(_("kết hợp chuyên đề"), default=False)
    subject = models.CharField(_("chủ đề"), max_length=255, blank=True)
    date = models.DateField(_("ngày"))
    start = models.TimeField(_("bắt đầu"))
    end = models.TimeField(_("kết thúc"))
    duration = models.PositiveSmallIntegerField(default=0)  # minutes, from start and end
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    chair = models.CharField(_("chủ trì"), max_length=150, blank=True)
    secretary = models.CharField(_("thư ký"), max_length=150, blank=True)
    guests = models.TextField(_("khách mời"), blank=True)
    agenda = models.TextField(_("nội dung"), blank=True)
    speakers = models.TextField(_("ý kiến phát biểu"), blank=True)
    conclusions = models.TextField(_("kết luận của chủ trì"), blank=True)
    resolutions = models.TextField(_("nghị quyết"), blank=True)
    votes_for = models.PositiveIntegerField(_("tán thành"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("không tán thành"), null=True, blank=True)
    documents = models.TextField(_("tài liệu"), blank=True)
    documents_posted_on = models.DateField(_("ngày đăng tài liệu"), null=True, blank=True)
    documents_lead_days = models.SmallIntegerField(null=True, blank=True)  # date − posted
    # The totals as recorded (domain.md §5, minutes): frozen when the minutes are approved.
    expected_official = models.PositiveIntegerField(default=0)
    expected_probationary = models.PositiveIntegerField(default=0)
    expected_attached = models.PositiveIntegerField(default=0)
    exempt = models.PositiveIntegerField(default=0)
    away = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    present_official = models.PositiveIntegerField(default=0)
    present_probationary = models.PositiveIntegerField(default=0)
    present_attached = models.PositiveIntegerField(default=0)
    present_extra = models.PositiveIntegerField(default=0)  # exempt or away who came anyway
    absent_excused = models.PositiveIntegerField(default=0)
    absent_unexcused = models.PositiveIntegerField(default=0)
    minutes_state = models.CharField(
        max_length=12, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("buổi sinh hoạt")
        verbose_name_plural = _("buổi sinh hoạt")
        ordering = ["-date", "-start", "-id"]
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "date", "start"],
                condition=Q(voided_at__isnull=True),
                name="meeting_once_per_cell_and_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    @property
    def expected(self) -> int:
        return self.expected_official + self.expected_probationary + self.expected_attached

    @property
    def present(self) -> int:
        return self.present_official + self.present_probationary + self.present_attached

    @property
    def approved(self) -> bool:
        return self.minutes_state == MinutesState.APPROVED


class Attendance(models.Model):
    """An exception to "everyone expected was present": an absence (with or without reason) or
    an attendance by someone outside the expected list. Unit and date are copied from the
    meeting so that the watch list (absent without reason in 3 months of a year) is one range
    scan on (mark, date)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="marks")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="meeting_marks"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    mark = models.CharField(max_length=12, choices=Mark.choices)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_mark_per_member")
        ]
        indexes = [
            models.Index(fields=["member", "date"]),
            models.Index(fields=["mark", "date"]),
            # The watch list of one organization: its cells' unexcused marks (a province reads
            # its own rows, not the country's; queries.absent_months_count).
            models.Index(fields=["unit", "mark", "date"], name="attendance_unit_mark_date"),
        ]


class Correction(models.Model):
    """A change to approved minutes: the minutes stay locked, each correction is kept (what,
    why, who) and also written to the audit trail."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(max_length=32)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    reason = models.TextField()
    made_at = models.DateTimeField(auto_now_add=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class QualityScore(models.Model):
    """A cell's self-assessment of one month's meetings (the sheet of `quality.py` in force on the
    month's first day). Optional: a cell-month without a sheet is simply not scored. Changed
    only through `services.quality_record` (old → new in the audit trail)."""

    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="meeting_quality"
    )
    month = models.DateField()  # the month's first day
    sheet = models.CharField(max_length=32)  # the sheet version's code
    scores = models.JSONField(default=dict)  # criterion key → points
    total = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tự đánh giá chất lượng sinh hoạt")
        verbose_name_plural = _("tự đánh giá chất lượng sinh hoạt")
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="one_quality_sheet_per_month")
        ]
        indexes = [models.Index(fields=["month"])]
