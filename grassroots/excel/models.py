"""An upload being checked or imported in the background, so the page survives a refresh."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    CHECKING = "checking", _("Đang kiểm tra")
    READY = "ready", _("Kiểm tra xong, chờ xác nhận")
    INVALID = "invalid", _("Có lỗi, chưa ghi gì")
    IMPORTING = "importing", _("Đang nhập")
    DONE = "done", _("Đã nhập xong")
    FAILED = "failed", _("Không nhập được, chưa ghi gì")


RUNNING = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.IMPORTING)


class ImportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    stored_path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent of the current phase
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # the first MAX_STORED_ERRORS messages
    error_count = models.PositiveIntegerField(default=0)
    # The category values that match no category (Report.notices): imported as typed and
    # counted as "Chưa phân loại"; listed in the preview, the first MAX_STORED_ERRORS.
    notices = models.JSONField(default=list, blank=True)
    notice_count = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=64, blank=True)
    # The queued task running this job (django-tasks result id): tells a dead job from a slow one.
    task_id = models.CharField(max_length=64, blank=True)

    MAX_STORED_ERRORS = 2000

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt nhập Excel")
        verbose_name_plural = _("lượt nhập Excel")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    def as_json(self) -> dict:
        return {
            "id": self.pk,
            "status": self.status,
            "status_label": str(self.get_status_display()),
            "phase": self.phase,
            "progress": self.progress,
            "running": self.running,
            "counts": self.counts,
            "error_count": self.error_count,
        }


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang xuất")
    DONE = "done", _("Đã xuất xong")
    FAILED = "failed", _("Không xuất được")


class ExportJob(models.Model):
    """A long export (the member list of a province: ~30 s) made by the worker with progress and
    kept for download by the account that asked for it, like a report (issue 11 §8)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    what = models.CharField(max_length=16, default="members")
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    at = models.DateField()
    fmt = models.CharField(_("định dạng"), max_length=8, default="xlsx")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    phase = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    stored_path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    address = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt xuất dữ liệu")
        verbose_name_plural = _("lượt xuất dữ liệu")

    def __str__(self) -> str:
        return self.file_name

    @property
    def running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def file_name(self) -> str:
        return f"danh-sach-dang-vien-{self.unit.code}-{self.at:%Y%m%d}.{self.fmt}"

    def as_json(self) -> dict:
        return {
            "id": self.pk,
            "status": self.status,
            "status_label": str(self.get_status_display()),
            "phase": self.phase,
            "progress": self.progress,
            "running": self.running,
            "error": self.error,
        }
