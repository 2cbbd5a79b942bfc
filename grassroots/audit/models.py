"""The audit trail: append-only records written by services in the same transaction as the change."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    UI = "ui", _("Giao diện web")
    CLI = "cli", _("Dòng lệnh")
    IMPORT = "import", _("Nhập Excel")
    API = "api", _("API")
    SYSTEM = "system", _("Hệ thống")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit records cannot be changed")

    def delete(self):
        raise PermissionError("Audit records cannot be deleted")


class AuditRecord(models.Model):
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices)
    address = models.CharField(_("địa chỉ"), max_length=64, blank=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=32)
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_label = models.CharField(_("đối tượng"), max_length=255, blank=True)
    action = models.CharField(_("thao tác"), max_length=64)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    reason = models.TextField(_("lý do"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("bản ghi nhật ký")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit records cannot be deleted")


class ProfileView(models.Model):
    """Who opened whose member record, and when (member files are confidential, domain.md §4.2)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
