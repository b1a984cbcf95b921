from django.http import HttpRequest

from verification.models import Notification


def notifications(request: HttpRequest) -> dict:
    """Unread notification count for the header (one indexed count per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
