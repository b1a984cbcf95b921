from django.http import HttpRequest

from verification.selectors import unread_notification_count


def notifications(request: HttpRequest) -> dict:
    """Unread notification count for the header (cached per user: no query on most pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(user)}
