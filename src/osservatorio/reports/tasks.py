"""Background generation of reports (django-tasks, database backend in production)."""

from django_tasks import task


@task()
def generate_report(report_id: int) -> str:
    from .services import run_generation

    report = run_generation(report_id)
    return report.status
