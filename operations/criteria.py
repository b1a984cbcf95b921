"""Self-assessment measures of the operations app (rubric in ``assessment.services``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import BackupCheck, BackupRecord, Course, PageView, Participant, ParticipantStatus
from operations.usage import pending_page_views
from poc.criteria import Evidence, Measure, fiscal_year_datetimes, measures, pct
from poc.models import User

EXECUTIVES = "executive"


@measures("2.1")
def executive_views(evidence: Evidence) -> Measure:
    """Cockpit pages opened by executives in the fiscal year: the usage table plus the views still buffered in
    Redis (read, not flushed: a report writes nothing)."""
    start, end = fiscal_year_datetimes(evidence.fy)
    stored = PageView.objects.filter(at__range=(start, end), user__groups__name=EXECUTIVES, view_name__startswith="cockpit")
    pending = [
        row for row in pending_page_views() if row["view"].startswith("cockpit") and start <= dt.datetime.fromisoformat(row["at"]) <= end
    ]
    executives = set(User.objects.filter(groups__name=EXECUTIVES, pk__in={row["user"] for row in pending}).values_list("pk", flat=True))
    pending = [row for row in pending if row["user"] in executives]
    visits = stored.count() + len(pending)
    users = len(set(stored.values_list("user", flat=True).distinct()) | executives)
    return Measure(_("%(v)d visits by %(u)d executives") % {"v": visits, "u": users}, visits > 0)


@measures("2.2")
def training_plan(evidence: Evidence) -> Measure:
    courses = Course.objects.filter(fiscal_year=evidence.fy)
    return Measure(str(courses.count()), courses.exists(), [course.title for course in courses[:10]])


@measures("3.3")
def training_executed(evidence: Evidence) -> Measure:
    registered = Participant.objects.filter(course__fiscal_year=evidence.fy)
    done = registered.filter(status=ParticipantStatus.COMPLETED).count()
    rate = pct(done, registered.count())
    return Measure(f"{rate}% ({done}/{registered.count()})", registered.exists() and rate >= 80)


@measures("5.1")
def verified_backups(evidence: Evidence) -> Measure:
    last = BackupRecord.objects.filter(verification_status=BackupCheck.OK).order_by("-created_at").first()
    recent = last is not None and last.created_at >= timezone.now() - dt.timedelta(days=2)
    figure = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M") if last else _("none")
    return Measure(figure, recent)
