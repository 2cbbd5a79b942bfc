"""The figures ledger: dated deltas per ancestor, so any figure at any date is one indexed sum.

For every organization A and every day on which something in A's subtree changed, one row holds
how each measure changed that day: stocks (+1 when a member or an organization enters A's
subtree, −1 when it leaves) and flows (admissions, deaths, transfers across A's boundary...).
The value of a stock at date D is SUM(delta) over rows of A with date ≤ D; a flow between D1 and
D2 is SUM over D1 < date ≤ D2. The ledger is derived from member stints, unit versions and the
ancestry closure; services keep it exact in the same transaction as each change, and
`derived.ledger.rebuild` recomputes it from scratch. Organizations with long ledgers also have
yearly checkpoints (`FigureCheckpoint`), so no sum reads more than a year of rows. See
docs/architecture.md.
"""

from django.db import models

STOCK_FIELDS = (
    "members",
    "official",
    "probationary",
    "exempt",
    "grassroots_committees",
    "grassroots_cells",
    "partial_committees",
    "subordinate_cells",
)
FLOW_FIELDS = (
    "admitted",
    "readmitted",
    "recognized",
    "transferred_in",
    "transferred_out",
    "restructured_in",
    "restructured_out",
    "died",
    "expelled",
    "removed",
    "left",
)
LEDGER_FIELDS = STOCK_FIELDS + FLOW_FIELDS


class LedgerColumns(models.Model):
    """The columns of the ledger (LEDGER_FIELDS), shared by its rows and its yearly checkpoints."""

    members = models.IntegerField(default=0)
    official = models.IntegerField(default=0)
    probationary = models.IntegerField(default=0)
    exempt = models.IntegerField(default=0)
    grassroots_committees = models.IntegerField(default=0)
    grassroots_cells = models.IntegerField(default=0)
    partial_committees = models.IntegerField(default=0)
    subordinate_cells = models.IntegerField(default=0)
    admitted = models.IntegerField(default=0)
    readmitted = models.IntegerField(default=0)
    recognized = models.IntegerField(default=0)
    transferred_in = models.IntegerField(default=0)
    transferred_out = models.IntegerField(default=0)
    restructured_in = models.IntegerField(default=0)
    restructured_out = models.IntegerField(default=0)
    died = models.IntegerField(default=0)
    expelled = models.IntegerField(default=0)
    removed = models.IntegerField(default=0)
    left = models.IntegerField(default=0)

    class Meta:
        abstract = True


class FigureDelta(LedgerColumns):
    # No index of its own: the unique (ancestor, date) index serves every lookup by ancestor,
    # and a second, smaller one tempts PostgreSQL into reading all of an ancestor's rows.
    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "date"], name="figuredelta_ancestor_date")
        ]


class FigureCheckpoint(LedgerColumns):
    """The ledger of one organization summed up to (not including) 1 January of `year`.

    Every ledger column, flows included, so both "as of D" and "between D1 and D2" are a
    checkpoint plus the deltas of at most one year (DHIS2's yearly partitions, anchors.md §0.4).
    A checkpoint is either exact or absent: they exist only for organizations with a long
    ledger (`figures.checkpoints`), are built by the full ledger rebuild and moved by every
    ledger write in the same transaction (see docs/architecture.md).
    """

    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "year"], name="figurecheckpoint_ancestor_year"
            )
        ]


# The meeting book's monthly rollup (issue 14; derived/meeting_months.py keeps it). One column per
# measure the meeting summary sums; `meetings.rollup.month_row` says what a meeting adds.
MEETING_MONTH_FIELDS = (
    "meetings",  # not voided, every kind
    "regular",
    "thematic",  # a thematic meeting, or a regular one that held the thematic part
    "study",
    "tracked",  # the kinds in the attendance rate (all but committee meetings)
    "minutes",  # total duration of the tracked ones
    "expected_official",
    "expected_probationary",
    "expected_attached",
    "present_official",
    "present_probationary",
    "present_attached",
    "absent_excused",
    "absent_unexcused",
    "short",  # shorter than the rule of the meeting's date
    "late_documents",
    "approved",  # minutes approved
)


class MeetingMonth(models.Model):
    """Per (organization, month): the sums over its meetings (not voided) dated in that month.

    Derived data, kept exact in each meeting write's transaction through `derived.maintain`
    (`meetings_changed`) and rebuilt by `grassroots meetings-rollup`. The summary of any
    organization sums the rows of the cells under it for the whole month (the closure row that
    covers the month), so a province-year reads cells × 12 rows, not every meeting with a
    correlated EXISTS on the closure (docs/meetings.md "Storage")."""

    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the month's first day
    month_end = models.DateField()  # its last day (the closure row must cover [month, month_end])
    meetings = models.IntegerField(default=0)
    regular = models.IntegerField(default=0)
    thematic = models.IntegerField(default=0)
    study = models.IntegerField(default=0)
    tracked = models.IntegerField(default=0)
    minutes = models.IntegerField(default=0)
    expected_official = models.IntegerField(default=0)
    expected_probationary = models.IntegerField(default=0)
    expected_attached = models.IntegerField(default=0)
    present_official = models.IntegerField(default=0)
    present_probationary = models.IntegerField(default=0)
    present_attached = models.IntegerField(default=0)
    absent_excused = models.IntegerField(default=0)
    absent_unexcused = models.IntegerField(default=0)
    short = models.IntegerField(default=0)
    late_documents = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="meetingmonth_unit_month")
        ]


class MeetingAncestorMonth(models.Model):
    """Per (organization, month): the `MeetingMonth` rows of every organization under it for the
    whole month summed — the closure row (ancestor, cell) covers [month, month_end] — and
    `cells_held`, how many of those rows have a regular meeting and belong to a cell (a member
    kind on the month's last day). Exactly what the summary summed by joining the rollup to the
    closure, kept per ancestor so that any organization's year is 12 rows, not cells × 12
    (docs/meetings.md "Storage"; issue 14: ≈ 300,000 cells nationally).

    Derived data, kept exact through `derived.maintain`: each meeting write moves its cell's
    ancestors' rows in the same transaction (`meetings_changed`), each tree change moves the
    rows of the subtree's cells from the old closure to the new one (`TreeSnapshot`), and
    `grassroots meetings-rollup` rebuilds it with one INSERT … SELECT. The months the summary
    reads meeting by meeting (a cell that moved mid-month, the window's partial and current
    months) are not affected: a mid-month move leaves that cell-month out of both ancestors'
    rows, as the join did."""

    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the month's first day
    meetings = models.IntegerField(default=0)
    regular = models.IntegerField(default=0)
    thematic = models.IntegerField(default=0)
    study = models.IntegerField(default=0)
    tracked = models.IntegerField(default=0)
    minutes = models.IntegerField(default=0)
    expected_official = models.IntegerField(default=0)
    expected_probationary = models.IntegerField(default=0)
    expected_attached = models.IntegerField(default=0)
    present_official = models.IntegerField(default=0)
    present_probationary = models.IntegerField(default=0)
    present_attached = models.IntegerField(default=0)
    absent_excused = models.IntegerField(default=0)
    absent_unexcused = models.IntegerField(default=0)
    short = models.IntegerField(default=0)
    late_documents = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    cells_held = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "month"], name="meetingancestormonth_ancestor_month"
            )
        ]


class MeetingAbsenceMonth(models.Model):
    """Per (organization, member, month): how many times the member was marked absent without
    reason (meetings not voided) in meetings of organizations under it on the meeting's date —
    what the watch-list count reads (domain.md §2.9 (a): absent without reason in N months of a
    year), so the count for any organization reads the rows of its members who missed, not every
    mark of every cell under it through the closure. Only members with such a mark have rows
    (≈ 1.5 % of expected attendances nationally).

    Derived data like MeetingAncestorMonth: moved by each meeting write (`meetings_changed`,
    the meeting's unexcused members in `MonthRow.absent`), by each tree change (`TreeSnapshot`)
    and rebuilt by `grassroots meetings-rollup`. Attribution is by the mark's own date, so a cell
    that moves mid-month needs no special case."""

    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The member's id (derived data: no foreign key into the members app, which imports figures;
    # members are never deleted).
    member_id = models.BigIntegerField()
    month = models.DateField()  # the month's first day
    year = models.IntegerField()  # the month's year (the count groups by it)
    marks = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "month", "member_id"],
                name="meetingabsencemonth_ancestor_month_member",
            )
        ]


class MeetingAbsenceYear(models.Model):
    """Per (organization, member, year): in how many months of the year the member has a
    `MeetingAbsenceMonth` row with marks > 0 under that organization — what the watch list's
    count needs for a whole calendar year (domain.md §2.9 (a): absent without reason in N
    months of a year). The count of a year's watch list is then the rows with `months` ≥ N,
    found through the index (ancestor, year, months): as many rows as members on the list, not
    one per member and month with a mark (≈ 850,000 for the country's year nationally; docs/
    performance.md, the meetings section, session 8).

    Derived data, kept exact with MeetingAbsenceMonth in the same writes (`derived.maintain`:
    `meeting_months._add_absence` moves `months` when a (member, month)'s marks leave or reach
    0, for meeting writes and tree changes alike) and rebuilt from it by
    `grassroots meetings-rollup`."""

    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    member_id = models.BigIntegerField()  # as MeetingAbsenceMonth: no foreign key into members
    year = models.IntegerField()
    months = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "year", "member_id"],
                name="meetingabsenceyear_ancestor_year_member",
            )
        ]
        indexes = [
            models.Index(fields=["ancestor", "year", "months"], name="absenceyear_count"),
        ]


# CascadeDuty's two indexes: the columns the tracker's statements read (directives/figures.py)
PLACE_COVER = ["asked_id", "ancestor_id", "grouped", "child_id", "at_from", "at_to", "unit_id",
               "live", "last_excl", "requirement_id", "deadline", "done_on", "ended", "org_until",
               "issued_until", "late_until"]  # fmt: skip
UNIT_COVER = ["asked_id", "unit_id", "ancestor_id", "at_from", "at_to", "org_until", "study_until",
              "live", "child_id", "last_excl"]  # fmt: skip


class CascadeDuty(models.Model):
    """The directives tracker's duties, placed (issue 17, docs/directives.md "Stored duties").

    One row per (asked document A, requirement R of A's chain, organization O bound by R,
    organization X that O lies under on its last day, range of asked days [at_from, at_to)): for
    every day `at` in the range, the tracker of A as of `at` has O bound by R, shown under X, with
    `child_id` the organization directly under X on O's path (O lives on `at`: its last day is
    `at`), or, with `live` false, O's last day is the day before `last_excl` (ended, merged, left
    the level) and the child is found by the query among X's children on `at`. What moves with
    `at` inside a range is compared at query time: the state (`deadline`, `done_on`, `ended`)
    and which row stands for the organization in a count (`org_until`: no requirement ranked
    before R binds O yet; `issued_until`, `late_until`, `study_until` likewise among the issue
    and study requirements; `0001-01-01` where R is not of that action). So the national tracker
    reads the rows of one (A, X) range and groups them per child, without the versions, the
    closure or a per-organization grouping (the ~17 µs a row of the one-statement query).

    Derived data (no foreign keys: documents live in a process module above this layer), kept by
    `derived.maintain` (`cascade_documents_changed`, `TreeSnapshot`)
    and rebuilt by `grassroots cascade-duties`; `tests/test_directives_figures.py` proves the
    kept table equals a rebuild and the figures equal the Python tracker."""

    asked_id = models.BigIntegerField()
    requirement_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()
    ancestor_id = models.BigIntegerField()
    child_id = models.BigIntegerField(null=True)
    live = models.BooleanField()
    at_from = models.DateField()
    at_to = models.DateField()
    last_excl = models.DateField(null=True)  # rows not live: the day after the last day
    deadline = models.DateField()
    done_on = models.DateField(null=True)
    ended = models.DateField(null=True)
    org_until = models.DateField()
    issued_until = models.DateField()
    late_until = models.DateField()
    study_until = models.DateField()
    # live and below its child (not the child itself): counted in CascadeDutyCount, which the
    # tracker reads instead of these rows (≈ 95 % of a national resolution's)
    grouped = models.BooleanField(default=False)

    class Meta:
        # Both cover what the tracker's statements read (directives/figures.py), so a first run
        # on a cold page cache reads the index's contiguous entries, not one table page per row:
        # the rows read one by one (not live, or the child itself: ~23,000 for the country) lie
        # together under (asked, ancestor, grouped = false), and the sessions statement's seeks
        # per organization stay in the second index (session 10, docs/performance.md).
        indexes = [
            models.Index(fields=PLACE_COVER, name="cascadeduty_place_cover"),
            models.Index(fields=UNIT_COVER, name="cascadeduty_unit_cover"),
        ]


class CascadeDutyCount(models.Model):
    """The grouped rows of `CascadeDuty` (live, below their child) counted per (asked document,
    ancestor, child, requirement) and everything the tracker compares with the asked day: the
    range, deadline, done day, end and the counts' thresholds (issue 17, docs/directives.md
    "Stored duties"). The tracker groups them as it groups the duties, weighted by `n`: for a
    national resolution the country reads tens of thousands of these instead of ~330,000 duties
    (organizations with the same thresholds under one child — mostly the same entry and no done
    day, or the same done day — share a row).

    Derived from `CascadeDuty` in the same refresh (`derived.cascade_duties`): the triples
    (asked, ancestor, child) whose grouped rows changed are recounted from the table;
    `tests/test_directives_figures.py` proves the kept counts equal a rebuild."""

    asked_id = models.BigIntegerField()
    ancestor_id = models.BigIntegerField()
    child_id = models.BigIntegerField()
    requirement_id = models.BigIntegerField()
    at_from = models.DateField()
    at_to = models.DateField()
    deadline = models.DateField()
    done_on = models.DateField(null=True)
    ended = models.DateField(null=True)
    org_until = models.DateField()
    issued_until = models.DateField()
    late_until = models.DateField()
    n = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["asked_id", "ancestor_id", "child_id"], name="cascadedutycount_place"
            ),
        ]


class CascadeDutyPending(models.Model):
    """A document root whose placed duties the worker is recomputing (issue 17, docs/directives.md
    "Stored duties"): a requirement added to, or a document with requirements voided under, a
    root binding more organizations than `DIRECTIVES_CASCADE_SYNC_UNITS` (a national resolution:
    ~2.9M rows, about a minute of CPU) is not recomputed in the writer's request. The writer
    writes this row in its own transaction; while it stands the tracker shows "being
    recomputed", never the rows (they predate the change). The worker writes the new rows into the
    other half of the keys (`CascadeDutyFlip`) batch by batch, then in one short transaction
    checks that no whole-root change came meanwhile (`generation`), recomputes the organizations
    written one by one meanwhile (`CascadeDutyPendingUnit`), flips the keys and deletes this row
    — so readers see the old figures flagged pending, or the new ones, never a mix."""

    root_id = models.BigIntegerField(unique=True)
    generation = models.IntegerField(default=1)  # +1 by every whole-root change while pending
    since = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True)  # a worker on it; renewed per batch


class CascadeDutyPendingUnit(models.Model):
    """An organization whose rows of a pending root a writer refreshed (a plan, a study session,
    a tree change) while the worker was computing the root: recomputed again in the swap."""

    root_id = models.BigIntegerField()
    unit_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["root_id", "unit_id"], name="cascadependingunit_root")]


class CascadeDutyFlip(models.Model):
    """Asked documents whose placed duties (and counts) are stored under `asked_id = −id`.

    Two halves per asked document, so the worker can write a whole root's new rows where no
    reader looks and switch by writing or deleting this row; the old half is deleted after."""

    document_id = models.BigIntegerField(unique=True)


class QualityAncestorMonth(models.Model):
    """Per (organization, month): how many cells under it (the closure on the month's first day,
    as `meetings.queries.quality_scores` reads them) recorded the month's quality self-assessment
    sheet (`meetings.QualityScore`), and the sum of their totals — the summary's
    `quality_average` of any organization is then sum / sheets over its rows of the window's
    months, not one closure test per sheet (≈ 300,000 cells × 12 sheets a year nationally if
    every cell scores; session 8).

    Derived data, kept exact through `derived.maintain`: `quality_changed` in the sheet's write
    (`meetings.services.quality_record`), the subtree's share moved on each tree change
    (`TreeSnapshot`, with the meeting rollups), rebuilt by `grassroots meetings-rollup`."""

    ancestor = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # the month's first day
    sheets = models.IntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ancestor", "month"], name="qualityancestormonth_ancestor_month"
            )
        ]
