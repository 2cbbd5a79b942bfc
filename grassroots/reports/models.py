"""A report made in the background and kept for download by the account that asked for it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.organizations.models import Unit


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Đã lập xong")
    FAILED = "failed", _("Không lập được")


class ReportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(max_length=16, default="review")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    at = models.DateField()
    fmt = models.CharField(_("định dạng"), max_length=8)
    summary = models.TextField(blank=True)  # the written summary as edited before export
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    phase = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    stored_path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    address = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the queue's task, to ask if it lives

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("báo cáo đã lập")
        verbose_name_plural = _("báo cáo đã lập")

    def __str__(self) -> str:
        return f"{self.kind} {self.unit_id} {self.since}–{self.at}.{self.fmt}"

    @property
    def running(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def file_name(self) -> str:
        return f"bao-cao-{self.unit.code}-{self.since:%Y%m%d}-{self.at:%Y%m%d}.{self.fmt}"

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
