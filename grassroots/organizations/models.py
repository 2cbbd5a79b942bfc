"""The organization tree through time.

`Unit` is the identity (code, lifetime). Everything that changes over time, the name, the kind,
the grassroots type and the parent, lives in `UnitVersion` rows with half-open validity
[valid_from, valid_to) in the manner of SAP OM (anchors.md §6). `UnitAncestry` is the closure of
the versions: one row per (ancestor, descendant) pair and maximal interval in which the pair
holds, depth 0 included. It is derived and rebuilt by services; reads use it for any subtree as
of any date with one indexed predicate.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    # domain.md §1.1: province → district level → grassroots (đảng bộ cơ sở / chi bộ cơ sở)
    # → đảng bộ bộ phận → chi bộ trực thuộc.
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Đảng bộ tỉnh")
    DISTRICT = "district", _("Đảng bộ cấp huyện, trực thuộc tỉnh")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    PARTIAL_COMMITTEE = "partial_committee", _("Đảng bộ bộ phận")
    SUBORDINATE_CELL = "subordinate_cell", _("Chi bộ trực thuộc")


GRASSROOTS_KINDS = (Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL)
SUBORDINATE_KINDS = (Kind.PARTIAL_COMMITTEE, Kind.SUBORDINATE_CELL)
# Members take part in party life in a cell (Điều lệ Điều 24); a chi bộ cơ sở is itself a cell.
MEMBER_KINDS = (Kind.GRASSROOTS_CELL, Kind.SUBORDINATE_CELL)

# Which kinds may sit directly under which (domain.md §1.1). After 2025 grassroots
# organizations sit directly under the province (§1.3), so both parents are allowed.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    Kind.CENTRAL: (None,),
    Kind.PROVINCE: (None, Kind.CENTRAL),
    Kind.DISTRICT: (Kind.PROVINCE,),
    Kind.GRASSROOTS_COMMITTEE: (Kind.DISTRICT, Kind.PROVINCE),
    Kind.GRASSROOTS_CELL: (Kind.DISTRICT, Kind.PROVINCE),
    Kind.PARTIAL_COMMITTEE: (Kind.GRASSROOTS_COMMITTEE,),
    Kind.SUBORDINATE_CELL: (Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE),
}


class GrassrootsType(models.TextChoices):
    # domain.md §1.4 (loại hình TCCSĐ)
    COMMUNE = "commune", _("Xã, phường, thị trấn, đặc khu")
    ENTERPRISE_STATE = "enterprise_state", _("Doanh nghiệp nhà nước")
    ENTERPRISE_NONSTATE = "enterprise_nonstate", _("Doanh nghiệp ngoài nhà nước")
    AGENCY = "agency", _("Cơ quan hành chính")
    PUBLIC_SERVICE = "public_service", _("Đơn vị sự nghiệp")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    OTHER = "other", _("Khác")


class Unit(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    established = models.DateField(_("ngày thành lập"))
    ended = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    # Optimistic lock: a save against a stale version is refused (two clerks, one record).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("tổ chức đảng")
        verbose_name_plural = _("tổ chức đảng")
        ordering = ["code"]

    def __str__(self) -> str:
        current = self.versions.order_by("-valid_from").first()
        return f"{current.name if current else self.code} ({self.code})"

    def exists_on(self, day) -> bool:
        return self.established <= day and (self.ended is None or day < self.ended)


class UnitVersion(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)  # exclusive; null = still valid
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("cấp tổ chức"), max_length=24, choices=Kind.choices)
    grassroots_type = models.CharField(
        _("loại hình"), max_length=24, choices=GrassrootsType.choices, blank=True
    )
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="child_versions"
    )

    class Meta:
        ordering = ["unit_id", "valid_from"]
        indexes = [
            models.Index(fields=["parent", "valid_from"]),
            models.Index(fields=["unit", "valid_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from}–{self.valid_to or ''})"


class UnitAncestry(models.Model):
    ancestor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["ancestor", "valid_from"]),
            models.Index(fields=["descendant", "valid_from"]),
            # The meetings summary's mid-month moves under an organization (closure rows that
            # end inside a month of the window) read through this range, not the whole subtree
            # (meetings.queries._mixed_months; ≈ 330,000 closure rows under the country).
            models.Index(fields=["ancestor", "valid_to"], name="unitancestry_ancestor_to"),
        ]


class ChangeAction(models.TextChoices):
    ESTABLISH = "establish", _("Thành lập")
    RENAME = "rename", _("Đổi tên")
    MOVE = "move", _("Chuyển trực thuộc")
    CHANGE_KIND = "change_kind", _("Thay đổi cấp tổ chức")
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")
    DISSOLVE = "dissolve", _("Giải thể")


class UnitChange(models.Model):
    """A dated decision about the tree, with its reference (number, date, issuing body)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(_("thay đổi"), max_length=16, choices=ChangeAction.choices)
    date = models.DateField(_("ngày hiệu lực"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    related_units = models.ManyToManyField(Unit, blank=True, related_name="+")
    note = models.TextField(_("ghi chú"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.unit.code} {self.date}"
