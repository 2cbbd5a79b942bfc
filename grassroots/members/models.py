"""Members and their dated life in the Party.

`MemberEvent` rows are the facts a clerk records (admission, transfer, death...). `MemberStint`
rows are derived from them by `members.lifecycle.derive_stints`: maximal intervals in which the
member is counted by one cell with one status. Stints feed the figures ledger; they are rebuilt
for a member whenever that member's events change.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Person(models.Model):
    """The personal profile a member shares with a candidate for admission (development app), so
    that admission reuses it without re-typing and both are checked by the same code."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, db_index=True, editable=False)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    ethnicity = models.CharField(_("dân tộc"), max_length=64, default="Kinh")
    religion = models.CharField(_("tôn giáo"), max_length=64, blank=True)
    hometown = models.CharField(_("quê quán"), max_length=255, blank=True)
    residence = models.CharField(_("nơi cư trú"), max_length=255, blank=True)
    education = models.CharField(_("trình độ giáo dục phổ thông"), max_length=32, blank=True)
    expertise = models.CharField(_("chuyên môn, nghiệp vụ"), max_length=128, blank=True)
    theory_level = models.CharField(_("lý luận chính trị"), max_length=32, blank=True)
    occupation = models.CharField(_("nghề nghiệp"), max_length=128, blank=True)
    citizen_id = models.CharField(_("số CCCD"), max_length=12, blank=True)

    class Meta:
        abstract = True


class Member(Person):
    citizen_id = models.CharField(_("số CCCD"), max_length=12, blank=True, db_index=True)
    # domain.md §2.4: profile number = 6 digits + 1–3 letter committee code; card = 8 digits.
    profile_number = models.CharField(_("số lý lịch"), max_length=16, unique=True)
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=16, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The coded lists' codes of the four free-text category fields (issue 18: "free text
    # becomes coded lists"; members.categories): derived from the typed text by the member
    # writers and the bulk loader, re-coded by `grassroots categories --recode` when a
    # commission changes its lists. "unmapped" when the text matches no category: the typed text
    # is kept and listed, never dropped. The statistics group by these short columns.
    education_code = models.CharField(max_length=24, blank=True, editable=False)
    expertise_code = models.CharField(max_length=24, blank=True, editable=False)
    theory_level_code = models.CharField(max_length=24, blank=True, editable=False)
    occupation_code = models.CharField(max_length=24, blank=True, editable=False)
    # The fields kept as dated facts (core.profile_facts: the cadres' qualifications): the value
    # the member holds from `<field>_held_since` on (the last step of the member's timeline;
    # NULL when the member has no dated facts of the field), kept by derived.maintain
    # (`member_levels_changed`) so the statistics as of a day on or after it read the member's
    # row instead of the qualifications (issue 18: one lookup per member was ~1,4 s of a
    # 160,000-member province).
    education_held = models.CharField(max_length=128, blank=True, editable=False)
    education_held_since = models.DateField(null=True, blank=True, editable=False)
    expertise_held = models.CharField(max_length=128, blank=True, editable=False)
    expertise_held_since = models.DateField(null=True, blank=True, editable=False)
    theory_level_held = models.CharField(max_length=128, blank=True, editable=False)
    theory_level_held_since = models.DateField(null=True, blank=True, editable=False)
    # Party seniority (domain.md §2.5) from `seniority_held_since` on: the number of days from
    # `seniority_held` (the first admission decision moved later by the closed gaps; NULL: no
    # seniority), so the statistics as of a day group members by it instead of reading every
    # member's events (issue 18: ≈ 5 s for a 160,000-member province). `seniority_held_since`
    # NULL: read the events (a history ending out of the party, or not computed).
    # lifecycle.seniority_held; kept by derived.maintain (`member_events_changed`) and the bulk
    # loader.
    seniority_held = models.DateField(null=True, blank=True, editable=False)
    seniority_held_since = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        ordering = ["search_name", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.profile_number})"


class CategoryCoding(models.Model):
    """Which coded lists the stored codes of a field follow (a fingerprint of the lists, see
    members.categories.fingerprint): when a commission changes its lists the fingerprints differ
    and the statistics classify the typed text until the members are re-coded."""

    field = models.CharField(max_length=24, primary_key=True)
    fingerprint = models.CharField(max_length=64)
    coded_at = models.DateTimeField()


class EventKind(models.TextChoices):
    ADMISSION = "admission", _("Kết nạp")
    OFFICIAL = "official", _("Công nhận đảng viên chính thức")
    TRANSFER = "transfer", _("Chuyển sinh hoạt chính thức")
    TRANSFER_IN = "transfer_in", _("Chuyển đến từ ngoài hệ thống")
    TRANSFER_OUT = "transfer_out", _("Chuyển đi ngoài hệ thống")
    TEMP_ATTACH = "temp_attach", _("Sinh hoạt tạm thời")
    TEMP_RETURN = "temp_return", _("Kết thúc sinh hoạt tạm thời")
    EXEMPTION = "exemption", _("Miễn công tác và sinh hoạt đảng")
    EXEMPTION_END = "exemption_end", _("Trở lại sinh hoạt")
    DISCIPLINE = "discipline", _("Kỷ luật")
    READMISSION = "readmission", _("Kết nạp lại")
    RESTRUCTURE = "restructure", _("Chuyển theo sắp xếp tổ chức")
    DEATH = "death", _("Từ trần")
    EXPULSION = "expulsion", _("Khai trừ")
    REMOVAL = "removal", _("Xóa tên")
    LEAVING = "leaving", _("Ra khỏi Đảng")


TERMINAL_KINDS = (EventKind.DEATH, EventKind.EXPULSION, EventKind.REMOVAL, EventKind.LEAVING)
MOVE_KINDS = (EventKind.TRANSFER, EventKind.RESTRUCTURE)


class DisciplineForm(models.TextChoices):
    # Điều lệ Điều 35; QĐ 69 Điều 7 (expulsion is its own event: it ends membership).
    REPRIMAND = "reprimand", _("Khiển trách")
    WARNING = "warning", _("Cảnh cáo")
    DISMISSAL = "dismissal", _("Cách chức")


# Foreign keys of events and stints without an index of their own (db_index=False): member and
# unit lead a composite index below, which serves the same lookups; a stint's came_from and
# went_to have partial indexes (where not null); nothing is ever deleted, so PROTECT/CASCADE
# never scan for them. Every index is one more B-tree a bulk writer (a plan's 170,000 member
# moves, an import) updates per row (docs/performance.md "Restructure plans", session 12).
class MemberEvent(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    kind = models.CharField(_("sự kiện"), max_length=16, choices=EventKind.choices)
    date = models.DateField(_("ngày hiệu lực"))
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("chi bộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_events",
        db_index=False,  # (unit, date) below
        help_text=_("Chi bộ kết nạp, chi bộ chuyển đến, hoặc nơi sinh hoạt tạm thời."),
    )
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuing_body = models.CharField(_("cơ quan quyết định"), max_length=255, blank=True)
    discipline_form = models.CharField(
        _("hình thức kỷ luật"), max_length=16, choices=DisciplineForm.choices, blank=True
    )
    place = models.CharField(_("nơi đi / nơi đến"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Nothing is deleted: a wrong event is voided by a correction that keeps both visible.
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(_("lý do hủy"), blank=True)
    corrected_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrects"
    )

    class Meta:
        verbose_name = _("sự kiện đảng viên")
        verbose_name_plural = _("sự kiện đảng viên")
        ordering = ["member_id", "date", "id"]
        indexes = [
            models.Index(fields=["member", "date"]),
            models.Index(fields=["unit", "date"]),
            # The inspection section's discipline events of a period (inspection.queries.
            # discipline_events) read through this small index instead of every event: a
            # country's report scanned the whole table (≈ 14M events nationally; issue 18
            # session 10). Partial: discipline events are a few per cent of the events.
            models.Index(
                fields=["date"],
                condition=models.Q(kind="discipline"),
                name="members_event_discipline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Dự bị")
    OFFICIAL = "official", _("Chính thức")


class Reason(models.TextChoices):
    """Why a stint starts or ends; these are the flows of the figures."""

    ADMITTED = "admitted", _("Kết nạp")
    READMITTED = "readmitted", _("Kết nạp lại")
    TRANSFER = "transfer", _("Chuyển sinh hoạt")
    RESTRUCTURE = "restructure", _("Sắp xếp tổ chức")
    STATUS = "status", _("Thay đổi trạng thái")
    RECOGNIZED = "recognized", _("Công nhận chính thức")
    DIED = "died", _("Từ trần")
    EXPELLED = "expelled", _("Khai trừ")
    REMOVED = "removed", _("Xóa tên")
    LEFT = "left", _("Ra khỏi Đảng")


class MemberStint(models.Model):
    """A member's stay in a cell with one status: derived from the events (members.lifecycle)
    by the services and the bulk loader, never typed. Like the name index's rows, its foreign
    keys have no database constraint (db_constraint=False): each would be checked for every row
    a bulk writer appends (PostgreSQL checks them at commit: a province plan's 340,000 stints,
    4 keys each, were most of its 10 s commit; docs/performance.md "Restructure plans", session
    12), and what they point at is checked by the writers before (the events' own keys keep
    their constraints). Indexed by the composite indexes below (see MemberEvent)."""

    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="stints",
        db_index=False,
        db_constraint=False,
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="stints",
        db_index=False,
        db_constraint=False,
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)  # exclusive
    status = models.CharField(max_length=12, choices=Status.choices)
    exempt = models.BooleanField(default=False)
    start_reason = models.CharField(max_length=12, choices=Reason.choices)
    # Official recognition took effect the day this stint starts (it may also start by a move).
    recognized = models.BooleanField(default=False)
    end_reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    # The other side of a transfer or restructure: null when it is outside the system. Indexed
    # where not null (Meta).
    came_from = models.ForeignKey(
        "organizations.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    went_to = models.ForeignKey(
        "organizations.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        indexes = [
            # Covers "who was in these units on day D" (figures, year-end rating lists, member
            # statistics by status): the rows are read from the index alone, not looked up one
            # by one in the table (the province's year-end list: 0,42 → 0,09 s CPU on SQLite,
            # issue 11 §9; the statistics' grouped scan, issue 18).
            models.Index(
                fields=["unit", "start", "end", "member", "exempt", "status"],
                name="members_stint_unit_status",
            ),
            models.Index(fields=["member", "start"]),
            # A tree change reads the stints that came from or went to a moved unit
            # (derived.ledger._stints_reaching). Partial: only moves name a unit there, so a
            # stint that starts by admission or ends by death touches neither index.
            models.Index(
                fields=["came_from"],
                condition=models.Q(came_from__isnull=False),
                name="members_stint_came_from",
            ),
            models.Index(
                fields=["went_to"],
                condition=models.Q(went_to__isnull=False),
                name="members_stint_went_to",
            ),
        ]


class MemberNameKey(models.Model):
    """Name search index, derived from names and stints (members.search_index keeps it exact).

    One row per (place, word of the folded name, member): "place" is a top-level organization the
    member was ever counted under, so a search in a province reads one short range per word.
    """

    pk = models.CompositePrimaryKey("place_id", "key", "member_id")
    # Derived rows, rewritten in bulk: no database-level foreign keys (each would be checked for
    # every one of tens of millions of rows); members and units are never deleted anyway.
    # No single-column index either: place leads the primary key, member has its own index
    # below (the foreign keys' own were a second copy of it and a third of the key's first
    # column; a plan re-keying 170,000 members wrote 4 B-trees per key instead of 2).
    place = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # Binary ("C") order on PostgreSQL (migration 0003), so that a prefix is an index range.
    key = models.CharField(max_length=64)
    member = models.ForeignKey(
        Member, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["member"], name="members_namekey_member")]
