"""Periodic jobs of the foundation; each is also a management command."""

from celery import shared_task

from poc.privacy import retention_apply


@shared_task
def apply_retention() -> dict[str, int]:
    """Nightly: delete page views and notifications past their PDPA retention (``manage.py apply_retention``)."""
    return retention_apply()
