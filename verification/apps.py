from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def tracking_staff(request) -> bool:
    from poc.permissions import is_provincial_it

    return is_provincial_it(request.user)


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Verification and timeliness")

    def ready(self) -> None:
        from datasets.formstate import register as register_statuses
        from datasets.hints import register as register_hints
        from datasets.services import VALUE_LOCKS
        from poc.navigation import NavItem, register
        from verification import criteria  # noqa: F401  (self-assessment measures register on import)
        from verification.outliers import entry_hints
        from verification.selectors import form_statuses
        from verification.services import values_locked

        VALUE_LOCKS.register(values_locked)
        register_hints(entry_hints)
        register_statuses(form_statuses)
        register(NavItem("verification:submissions", _("Submissions"), order=40, visible=_signed_in))
        register(NavItem("verification:violations", _("Validation"), order=41, visible=_signed_in))
        register(NavItem("verification:responsibility", _("Timeliness"), order=42, visible=_signed_in))
        register(NavItem("verification:tracking_report", _("Tracking report"), order=43, visible=tracking_staff))

        from django.db.models.signals import post_delete, post_save

        from poc.notifications import forget_unread_counts
        from verification.models import Notification

        # Admin edits and any other single-row change: the header count must never be stale.
        def forget(sender, instance: Notification, **kwargs) -> None:
            forget_unread_counts([instance.user_id])

        post_save.connect(forget, sender=Notification, dispatch_uid="verification-unread-save", weak=False)
        post_delete.connect(forget, sender=Notification, dispatch_uid="verification-unread-delete", weak=False)
