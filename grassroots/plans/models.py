"""Restructure plans: a named draft of many changes of the tree with one effective date and the
decision(s) behind it, checked and previewed as a whole and applied at once
(grassroots/restructure/plan.py plays it; docs/restructure.md).

An applied plan is a record of what was done: it is never edited or deleted, and it is undone
only by another plan (`reverts`), whose changes are the inverse ones.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPLIED = "applied", _("Đã thực hiện")
    VOID = "void", _("Đã hủy")


class Source(models.TextChoices):
    UI = "ui", _("Trang kế hoạch")
    EXCEL = "excel", _("Tệp Excel")
    API = "api", _("API")
    DEMO = "demo", _("Dữ liệu mẫu")


class Plan(models.Model):
    name = models.CharField(_("tên kế hoạch"), max_length=255)
    effective_date = models.DateField(_("ngày hiệu lực"))
    # The organization whose committee decides: access follows it (accounts/access.py).
    scope = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("cấp quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The decision(s) behind the plan: [{"number", "date", "issuing_body"}, ...]
    decisions = models.JSONField(_("quyết định"), default=list, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UI)
    source_name = models.CharField(max_length=255, blank=True)
    reverts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reverted_by",
        verbose_name=_("hoàn tác kế hoạch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    # What the apply did: counts of changes, recognized moves, members and villages moved.
    summary = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("kế hoạch sắp xếp tổ chức")
        verbose_name_plural = _("kế hoạch sắp xếp tổ chức")
        ordering = ["-effective_date", "-id"]
        indexes = [models.Index(fields=["scope", "effective_date"])]

    def __str__(self) -> str:
        return self.name


class PlanChange(models.Model):
    """One change of a plan, by codes (the plan may establish the organizations it names)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="changes")
    position = models.PositiveIntegerField()
    action = models.CharField(_("thay đổi"), max_length=16)
    code = models.CharField(_("mã tổ chức / số lý lịch"), max_length=32)
    date = models.DateField(_("ngày hiệu lực"))
    name = models.CharField(_("tên"), max_length=255, blank=True)
    kind = models.CharField(_("cấp tổ chức"), max_length=24, blank=True)
    grassroots_type = models.CharField(_("loại hình"), max_length=24, blank=True)
    parent = models.CharField(_("mã cấp trên"), max_length=32, blank=True)
    target = models.CharField(_("mã tổ chức nhận"), max_length=32, blank=True)
    new_cell_code = models.CharField(_("mã chi bộ nhận đảng viên"), max_length=32, blank=True)
    new_cell_name = models.CharField(_("tên chi bộ nhận đảng viên"), max_length=255, blank=True)
    parts = models.JSONField(default=list, blank=True)
    assign = models.JSONField(default=dict, blank=True)
    decision_number = models.CharField(max_length=64, blank=True)
    decision_date = models.DateField(null=True, blank=True)
    issuing_body = models.CharField(max_length=255, blank=True)
    note = models.TextField(blank=True)
    # Where it came from, for messages: the Excel sheet and row.
    sheet = models.CharField(max_length=64, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan_id", "position"]
        indexes = [models.Index(fields=["plan", "position"])]

    def __str__(self) -> str:
        return f"{self.action} {self.code}"
