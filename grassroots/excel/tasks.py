"""Background tasks of the Excel app, run by `grassroots worker` (django-tasks)."""

from django_tasks import task

from . import jobs


@task()
def run_import_job(job_id: int, confirm: bool) -> None:
    jobs.run(job_id, confirm)
