from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "grassroots.meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        # The per-ancestor absence rollup (derived layer, below this app) recounts a subtree's
        # unexcused marks on each tree change and on a rebuild: it reads them through this.
        from grassroots.derived import meeting_months

        from . import rollup

        meeting_months.register_marks(rollup.unexcused_marks)
        meeting_months.register_quality(rollup.quality_sheets)
