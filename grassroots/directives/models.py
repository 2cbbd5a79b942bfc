"""The document register, what each document requires of the levels below, and the study
sessions held on it (docs/directives.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from grassroots.organizations.models import Unit

from .kinds import ACTION_CHOICES, AUDIENCE_CHOICES, KIND_CHOICES, LEVEL_CHOICES


class Document(models.Model):
    """A Party document as registered: kind, number and symbol, date, issuer, what it implements.

    The issuer is an organization of the tree, or a central body (`central_body`, e.g. "TW") when
    `issuer` is empty. `parent` is the document this one implements (a plan implementing a
    resolution) or, for a báo cáo sơ kết / tổng kết, the document it reviews.
    """

    kind = models.CharField(_("loại văn bản"), max_length=16, choices=KIND_CHOICES)
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("số và ký hiệu"), max_length=40)  # "22-NQ/TW"
    issuer = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("cơ quan ban hành"),
    )  # fmt: skip
    central_body = models.CharField(_("cơ quan Trung ương"), max_length=16, blank=True)
    date = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=500)
    summary = models.TextField(_("tóm tắt"), blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("thực hiện / sơ kết văn bản"),
    )  # fmt: skip
    # The chain of implementation as a materialized path of ids ("/12/40/57/"), and its top
    # document: "everything implementing X, at any depth" is `root=X.root, path^=X.path`.
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=255, blank=True, default="")
    # Folded (core.text.fold) title, summary, symbol and attached files' text: the full-text
    # index's input (directives/search.py), so "nghi quyet" finds "Nghị quyết".
    search_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-date", "id"]
        indexes = [
            models.Index(fields=["issuer", "date"]),
            models.Index(fields=["parent"]),
            models.Index(fields=["root", "issuer"]),
            models.Index(fields=["symbol"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} ({self.date:%d/%m/%Y})"

    @property
    def issuer_code(self) -> str:
        return self.issuer.code if self.issuer_id else self.central_body


class DocumentFile(models.Model):
    """A file of a document (PDF, DOCX or a scan), stored under VAR_DIR/directives."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    name = models.CharField(_("tên tệp"), max_length=255)
    path = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    text_chars = models.PositiveIntegerField(default=0)  # characters of text found in it
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]


class Requirement(models.Model):
    """What each organization of `level` under the issuer must do about `document`, by when."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="requirements")
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=LEVEL_CHOICES)
    action = models.CharField(_("việc phải làm"), max_length=8, choices=ACTION_CHOICES)
    audience = models.CharField(
        _("đối tượng học tập"), max_length=12, choices=AUDIENCE_CHOICES, blank=True
    )
    doc_kind = models.CharField(
        _("loại văn bản phải ban hành"), max_length=16, choices=KIND_CHOICES, blank=True
    )
    deadline = models.DateField(_("thời hạn"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["deadline", "id"]


class StudySession(models.Model):
    """A study (học tập, quán triệt) of a document held by an organization.

    A study for all members is a meeting of the meetings module (issue 14, kind "study"): its
    expected list and attendance are that module's, read through `meetings.queries`. A study for
    committee members or key cadres has no list the registry can derive (the meetings module
    leaves committee attendance out), so it records its own counts (`expected`, `attended`).
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="studies")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    meeting = models.OneToOneField(
        "meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT,
        related_name="study", verbose_name=_("buổi sinh hoạt"),
    )  # fmt: skip
    date = models.DateField(_("ngày học tập"))
    audience = models.CharField(_("đối tượng"), max_length=12, choices=AUDIENCE_CHOICES)
    expected = models.PositiveIntegerField(_("số phải học"), default=0)
    attended = models.PositiveIntegerField(_("số đã học"), default=0)
    makeup_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="makeups",
        verbose_name=_("học bù cho buổi"),
    )  # fmt: skip
    online = models.BooleanField(_("trực tuyến"), default=False)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["unit", "date"]), models.Index(fields=["document"])]
