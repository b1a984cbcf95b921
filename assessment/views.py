from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.platypus import Paragraph

from assessment.services import Assessment, assess, default_fiscal_year
from poc import pdf
from poc.params import fiscal_year_param
from poc.periods import fiscal_year_of, format_date_be


def _assessment(request: HttpRequest) -> Assessment:
    if not (request.user.is_it_admin or request.user.is_executive):
        raise PermissionDenied
    return assess(fiscal_year_param(request.GET, default=default_fiscal_year()))


@login_required
def assessment(request: HttpRequest) -> HttpResponse:
    result = _assessment(request)
    years = range(result.fiscal_year - 3, fiscal_year_of(timezone.localdate()) + 1)
    return render(request, "assessment/report.html", {"result": result, "years": years})


@login_required
def assessment_pdf(request: HttpRequest) -> HttpResponse:
    result = _assessment(request)
    styles = pdf.styles()
    title = _("Self-assessment, fiscal year %(fy)d") % {"fy": result.fiscal_year}
    flow = [
        Paragraph(_("Prepared %(date)s. Level reached: %(level)d of 5. Weighted score: %(score)s/100.")
                  % {"date": format_date_be(timezone.localdate()), "level": result.reached, "score": result.score}, styles["body"]),
    ]  # fmt: skip
    for level in result.levels():
        status = _("met") if level["met"] else _("not met")
        flow.append(Paragraph(f"{_('Level')} {level['level']}: {level['title']} — {status}", styles["h2"]))
        rows = [[_("Criterion"), _("Target"), _("Result"), _("Met"), _("Evidence")]]
        for c in level["criteria"]:
            rows.append([f"{c.code} {c.title}", c.target, c.figure, _("yes") if c.met else _("no"), "; ".join(c.evidence[:5])])
        flow.append(pdf.table(rows, col_widths=[150, 110, 80, 35, 110]))
    response = HttpResponse(pdf.render(title, flow), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="self-assessment-{result.fiscal_year}.pdf"'
    return response
