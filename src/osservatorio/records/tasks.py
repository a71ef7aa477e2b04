"""Background jobs (django-tasks): the import of a verified file."""

from django_tasks import task


@task()
def import_batch(batch_id: int) -> int:
    from .services import run_import

    return run_import(batch_id).rows_imported
