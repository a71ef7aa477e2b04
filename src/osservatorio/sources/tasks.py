"""Background jobs (django-tasks): loading an uploaded file as a new release."""

from django_tasks import task


@task()
def run_load_job(job_id: int) -> str:
    from .services import run_job

    return run_job(job_id).status
