from celery import shared_task

from verification.reminders import reminders_send


@shared_task
def send_reminders() -> int:
    """Beat job (also ``manage.py send_reminders``)."""
    return reminders_send().sent
