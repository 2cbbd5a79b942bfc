"""The audit trail: append-only records written by services in the same transaction as the change."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import chain


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


class AuditRecordQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            for obj in objs:
                obj.at = obj.at or timezone.now()
            for obj, value in zip(
                objs, chain.link(self.model._meta.db_table, map(_values, objs)), strict=True
            ):
                obj.chain = value
            return super().bulk_create(objs, *args, **kwargs)


def _values(record) -> dict:
    return {name: getattr(record, name) for name in chain.FIELDS}


class AuditRecord(models.Model):
    # Set when the record is built (not auto_now_add, which bulk_create would overwrite after
    # the chain was computed from it).
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
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
    # SHA-256 over the previous record's chain and this record (audit/chain.py, issue 20 §19).
    chain = models.CharField(_("mã chuỗi"), max_length=64, blank=True, editable=False)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("bản ghi nhật ký")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Audit records cannot be changed")
        with transaction.atomic(using=kwargs.get("using")):
            (self.chain,) = chain.link(self._meta.db_table, [_values(self)])
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
