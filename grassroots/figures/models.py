"""The figures ledger: dated deltas per ancestor, so any figure at any date is one indexed sum.

For every organization A and every day on which something in A's subtree changed, one row holds
how each measure changed that day: stocks (+1 when a member or an organization enters A's
subtree, −1 when it leaves) and flows (admissions, deaths, transfers across A's boundary...).
The value of a stock at date D is SUM(delta) over rows of A with date ≤ D; a flow between D1 and
D2 is SUM over D1 < date ≤ D2. The ledger is derived from member stints, unit versions and the
ancestry closure; services keep it exact in the same transaction as each change, and
`figures.ledger.rebuild` recomputes it from scratch. See docs/architecture.md.
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


class FigureDelta(models.Model):
    ancestor = models.ForeignKey("organizations.Unit", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
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
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "date"], name="figuredelta_ancestor_date")
        ]
