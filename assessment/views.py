import dataclasses

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.services import Assessment, assess, default_fiscal_year
from indicators.reporting import reporting_year
from poc import pdf
from poc.params import fiscal_year_param
from poc.periods import fiscal_year_of, format_date_be
from poc.permissions import Gate, role_required


def _assessment(request: HttpRequest) -> Assessment:
    return assess(fiscal_year_param(request.GET, default=default_fiscal_year()), user=request.user)


@role_required(Gate.EXECUTIVE_OR_IT)
def assessment(request: HttpRequest) -> HttpResponse:
    result = _assessment(request)
    years = range(result.fiscal_year - 3, fiscal_year_of(timezone.localdate()) + 1)
    rule = reporting_year()
    reporting = dataclasses.replace(rule, fiscal_year=result.fiscal_year, default=rule.fiscal_year)
    return render(request, "assessment/report.html", {"result": result, "years": years, "reporting": reporting})


@role_required(Gate.EXECUTIVE_OR_IT)
def assessment_pdf(request: HttpRequest) -> HttpResponse:
    result = _assessment(request)
    context = {
        "result": result,
        "title": _("Self-assessment, fiscal year %(fy)d") % {"fy": result.fiscal_year},
        "summary": _("Prepared %(date)s. Level reached: %(level)d of 5. Weighted score: %(score)s/100.")
        % {"date": format_date_be(timezone.localdate()), "level": result.reached, "score": result.score},
    }
    content = pdf.render_pdf("assessment/report_pdf.html", context)
    return pdf.pdf_response(content, f"self-assessment-{result.fiscal_year}.pdf", attachment=True)
