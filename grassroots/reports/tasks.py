"""Background tasks of the reports app, run by `grassroots worker` (django-tasks)."""

from django_tasks import task

from . import jobs


@task()
def run_report_job(job_id: int) -> None:
    jobs.run(job_id)
