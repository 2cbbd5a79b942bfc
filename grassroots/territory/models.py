"""Villages (thôn, bản, tổ dân phố) with their cell arrangement through time, and population.

These are the denominators of "members as % of population" and "villages with their own cell"
(domain.md §1.2 "chi bộ ghép", §4.1).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VillageKind(models.TextChoices):
    THON = "thon", _("Thôn")
    BAN = "ban", _("Bản")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")


class CellArrangement(models.TextChoices):
    OWN = "own", _("Có chi bộ độc lập")
    JOINT = "joint", _("Sinh hoạt ghép")
    NONE = "none", _("Chưa có chi bộ")


class Village(models.Model):
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=12, choices=VillageKind.choices)

    class Meta:
        verbose_name = _("thôn, bản, tổ dân phố")
        verbose_name_plural = _("thôn, bản, tổ dân phố")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class VillageVersion(models.Model):
    """Which commune party organization a village belongs to and how its members meet, over time."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="versions")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="village_versions"
    )
    arrangement = models.CharField(
        _("tình trạng chi bộ"), max_length=8, choices=CellArrangement.choices
    )
    cell = models.ForeignKey(
        "organizations.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Chi bộ của thôn, hoặc chi bộ mà đảng viên của thôn sinh hoạt ghép."),
    )

    class Meta:
        ordering = ["village_id", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"])]


class Population(models.Model):
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    population = models.PositiveIntegerField(_("dân số"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="population_unit_year")
        ]

    def __str__(self) -> str:
        return f"Dân số {self.unit.code} năm {self.year}"
