from django.http import HttpRequest

from cockpit.selectors import open_alert_count


def alerts(request: HttpRequest) -> dict:
    """Open alerts for the header badge (cached per user and alert version: no query on most pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"open_alert_count": open_alert_count(user)}
