"""What each demo role gets from every URL: the registry the generated permission matrix checks.

One line per URL name. The six columns are the roles, in this order:

    anonymous   entry_a (data entry, agency A)   verifier_a (verifier of A)
    province_verifier (verifier of the provincial IT group)   executive   it_admin

``L`` is a redirect to the login page; any other column is the exact status code. ``kw`` builds the
URL's arguments from the world of ``tests/permission_world.py`` (B's restricted objects, mostly),
``q`` adds a query string. A new URL must be added here, or the matrix test fails:

    "app:name": page("L 200 200 200 200 200"),
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROLES = ("anonymous", "entry_a", "verifier_a", "province_verifier", "executive", "it_admin")
LOGIN = "L"


Build = Callable[[dict], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    expected: dict[str, str]
    kw: Build
    q: Build


def page(statuses: str, kw: Build | None = None, q: Build | None = None) -> Page:
    columns = statuses.split()
    assert len(columns) == len(ROLES), statuses
    return Page(dict(zip(ROLES, columns, strict=True)), kw or (lambda w: {}), q or (lambda w: {}))


def pk(name: str) -> Build:
    return lambda w: {"pk": w[name].pk}


def secret_dataset(**extra: str) -> Build:
    return lambda w: {"code": "DS-SECRET", **extra}


SECRET_INDICATOR_MAP = lambda w: {"indicator": "IND_SECRET", "period": "FY2568", "parent": "99"}  # noqa: E731
SECRET_ANALYTICS = lambda w: {"element": "SECRET_CASES", "orgunit": "99", "period": "FY2568"}  # noqa: E731
SECRET_VALUE_SET = lambda w: {"dataSet": "DS-SECRET", "period": "2025", "orgUnit": "99", "children": "true"}  # noqa: E731
SECRET_PIVOT = lambda w: {"item": f"i:{w['secret_rate'].pk}", "from": "2568", "to": "2568", "export": "csv"}  # noqa: E731

# fmt: off
PAGES: dict[str, Page] = {
    # Foundation
    "home":                             page("L   200 200 200 200 200"),
    "login":                            page("200 200 200 200 200 200"),
    "logout":                           page("405 405 405 405 405 405"),  # POST only
    "password_change":                  page("L   200 200 200 200 200"),
    "password_change_done":             page("L   200 200 200 200 200"),
    "set_language":                     page("302 302 302 302 302 302"),
    "accounts_issue":                   page("L   403 403 403 403 200"),
    "privacy":                          page("200 200 200 200 200 200"),
    "people":                           page("L   403 403 403 403 200"),
    "orgunit_groups":                   page("L   403 403 403 403 200"),
    "person_export":                    page("L   403 403 403 403 405", kw=pk("entry_b")),  # POST only
    "person_anonymise":                 page("L   403 403 403 403 405", kw=pk("entry_b")),
    "api_tokens":                       page("L   200 200 200 200 200"),
    "api_token_revoke":                 page("L   405 405 405 405 405", kw=lambda w: {"pk": 1}),
    "api_analytics":                    page("400 400 400 200 400 200", q=SECRET_ANALYTICS),
    "api_categories":                   page("200 200 200 200 200 200"),  # catalogue metadata; elements of readable datasets only
    "api_datavaluesets":                page("400 400 400 200 400 200", q=SECRET_VALUE_SET),
    "api_schema":                       page("200 200 200 200 200 200"),
    "api_docs":                         page("200 200 200 200 200 200"),
    "ckan_package_list":                page("200 200 200 200 200 200"),
    "ckan_package_search":              page("200 200 200 200 200 200", q=lambda w: {"q": "DS-SECRET"}),
    # CKAN harvesting and open-data CSVs publish public datasets only: a restricted one is unknown to everyone
    "ckan_package_show":                page("404 404 404 404 404 404", q=lambda w: {"id": "DS-SECRET"}),
    "open_data_csv":                    page("404 404 404 404 404 404", kw=secret_dataset()),
    "api_datavalues":                   page("404 404 404 200 404 200", q=lambda w: {"dataset": "DS-SECRET", "period": "FY2568"}),
    "assessment":                       page("L   403 403 403 200 200"),
    "assessment_pdf":                   page("L   403 403 403 200 200"),
    # Cockpit: an indicator on B's restricted inputs is readable by the province's verifiers and IT only
    "cockpit:tiles":                    page("L   200 200 200 200 200", q=lambda w: {"fy": "2568"}),
    "cockpit:warroom":                  page("L   200 200 200 200 200", q=lambda w: {"fy": "2568"}),
    "cockpit:drilldown":                page("L   404 404 200 404 200", kw=lambda w: {"code": "IND_SECRET"}, q=lambda w: {"fy": "2568"}),
    "cockpit:brief_pdf":                page("L   200 200 200 200 200", q=lambda w: {"fy": "2568"}),
    "cockpit:my_dashboard":             page("L   200 200 200 200 200"),
    "cockpit:pin_remove":               page("L   405 405 405 405 405", kw=lambda w: {"pin_id": w["pin"].pk}),
    "cockpit:pivot":                    page("L   404 404 200 404 200", q=SECRET_PIVOT),
    "cockpit:alerts":                   page("L   200 200 200 200 200"),
    "cockpit:alert":                    page("L   404 404 200 404 200", kw=pk("alert")),
    "cockpit:needs":                    page("L   200 200 200 200 200"),
    "cockpit:need":                     page("L   403 403 403 200 200", kw=pk("need")),
    # Datasets
    "datasets:catalogue":               page("L   200 200 200 200 200"),
    "datasets:entry":                   page("L   200 200 200 200 200"),
    "datasets:completeness":            page("L   200 200 200 200 200"),
    "datasets:completeness_json":       page("L   200 200 200 200 200"),
    "datasets:job_status":              page("L   404 404 404 404 404", kw=lambda w: {"job": "0" * 32}),
    "datasets:detail":                  page("404 404 404 200 404 200", kw=secret_dataset()),
    "datasets:history":                 page("404 404 404 200 404 200", kw=secret_dataset()),
    "datasets:audit":                   page("L   404 404 200 404 200", kw=secret_dataset()),
    "datasets:upload":                  page("L   404 404 404 404 404", kw=secret_dataset()),  # B's data entry only
    "datasets:upload_map":              page("L   404 404 404 404 404", kw=secret_dataset(token="0" * 32)),  # B's data entry only
    "datasets:download":                page("404 404 404 200 404 200", kw=secret_dataset(what="values"),
                                             q=lambda w: {"period": "FY2568", "format": "csv"}),
    "open_data:catalogue":              page("200 200 200 200 200 200"),
    "open_data:detail":                 page("404 404 404 404 404 404", kw=secret_dataset()),  # never open data
    # Documents and correspondence
    "documents:document_list":          page("200 200 200 200 200 200"),
    "documents:document_create":        page("L   200 200 200 200 200"),
    "documents:document_detail":        page("404 404 404 200 404 200", kw=pk("document")),
    "documents:attachment_download":    page("404 404 404 200 404 200", kw=pk("attachment")),
    "documents:letter_list":            page("L   200 200 200 200 200"),
    "documents:letter_create":          page("L   200 200 200 200 200"),
    "documents:letter_detail":          page("L   404 404 404 404 200", kw=pk("letter")),
    "documents:letter_attachment":      page("L   404 404 404 404 200", kw=pk("letter")),
    # Maps
    "gis:map":                          page("200 200 200 200 200 200"),
    "gis:choropleth":                   page("404 404 404 200 404 200", q=SECRET_INDICATOR_MAP),
    "gis:series":                       page("404 404 404 200 404 200", q=SECRET_INDICATOR_MAP),
    "gis:layers":                       page("L   200 200 200 200 200"),
    "gis:layers_api":                   page("200 200 200 200 200 200"),
    "gis:layer_api":                    page("404 404 404 200 404 200", kw=pk("layer")),
    "gis:layer_delete":                 page("L   404 404 403 404 200", kw=pk("layer")),  # seen, not managed: 403
    # Risk and operations
    "risk:campaign_list":               page("L   200 200 200 200 200"),
    "risk:campaign_create":             page("L   403 403 403 403 200"),
    "risk:response_edit":               page("L   200 200 404 404 200", kw=pk("campaign"), q=lambda w: {"agency": w["agency_b"].pk}),
    "risk:campaign_report":             page("L   403 403 403 200 200", kw=pk("campaign")),
    "risk:campaign_report_export":      page("L   403 403 403 200 200", kw=lambda w: {"pk": w["campaign"].pk, "fmt": "xlsx"}),
    "risk:campaign_close":              page("L   405 405 405 405 405", kw=pk("campaign")),
    "risk:action_create":               page("L   403 403 403 403 405", kw=pk("campaign")),
    "risk:action_status":               page("L   405 405 405 405 405", kw=pk("action")),
    "risk:response_reopen":             page("L   405 405 405 405 405", kw=pk("response")),
    "risk:question_list":               page("L   403 403 403 403 200"),
    "risk:questions_load":              page("L   403 403 403 403 405"),
    "risk:question_add":                page("L   403 403 403 403 200"),
    "risk:question_edit":               page("L   403 403 403 403 200", kw=pk("question")),
    "operations:contingency_plan":            page("L   200 200 200 200 200"),
    "operations:contingency_plan_edit":       page("L   403 403 403 403 200"),
    "operations:contingency_plan_version":    page("L   200 200 200 200 200", kw=lambda w: {"version": 1}),
    "operations:training_plan":               page("L   200 200 200 200 200"),
    "operations:course_add":                  page("L   403 403 403 403 200"),
    "operations:course_detail":               page("L   200 200 200 200 200", kw=pk("course")),
    "operations:course_edit":                 page("L   403 403 403 403 200", kw=pk("course")),
    "operations:participant_status":          page("L   405 405 405 405 405", kw=pk("participant")),
    "operations:usage_report":                page("L   403 403 403 403 200"),
    "operations:backup_list":                 page("L   403 403 403 403 200"),
    "operations:backup_start":                page("L   403 403 403 403 405"),
    "operations:backup_verify":               page("L   403 403 403 403 405", kw=pk("backup")),
    # Verification and timeliness
    "verification:submissions":         page("L   200 200 200 200 200"),
    "verification:submission_open":     page("L   405 405 405 405 405"),
    "verification:submission":          page("L   404 404 200 404 200", kw=pk("submission")),
    "verification:outlier_confirm":     page("L   405 405 405 405 405", kw=pk("submission")),
    "verification:submission_action":   page("L   405 405 405 405 405", kw=lambda w: {"pk": w["submission"].pk, "action": "verify"}),
    "verification:bulk_verify":         page("L   403 403 200 403 200"),
    "verification:violations":          page("L   200 200 200 200 200"),
    "verification:validation_run":      page("L   405 405 405 405 405"),
    "verification:violation_hotspots":  page("L   200 200 200 200 200"),
    "verification:orgunit_shapes":      page("L   200 200 200 200 200"),
    "verification:responsibility":      page("L   200 200 200 200 200"),
    "verification:tracking_report":     page("L   403 403 200 403 200"),
    "verification:tracking_letter":     page("L   403 403 404 403 404", kw=lambda w: {"agency_code": w["agency_b"].code},
                                             q=lambda w: {"period": "2568-B1"}),  # 404: B has nothing overdue then
    "verification:notifications":       page("L   200 200 200 200 200"),
}
# fmt: on

# Who reads agency B's restricted object of each model (``restrict(user, "view")``), by world key.
# Every model with a view rule is listed; None: the world holds no such row.
B_ROWS: dict[str, tuple[str | None, set[str]]] = {
    "datasets.Dataset": ("secret", {"province_verifier", "it_admin"}),
    "datasets.DataElement": ("cases", {"province_verifier", "it_admin"}),
    "datasets.DataValue": ("value", {"province_verifier", "it_admin"}),
    "datasets.DataValueAudit": ("audit", {"province_verifier", "it_admin"}),
    "api.ApiToken": (None, set()),  # a person's own; tested in tests/api/test_tokens.py
    "datasets.ImportProfile": (None, set()),  # an agency's own mappings; tested in tests/datasets/test_import_profiles.py
    "datasets.AggregateValue": ("aggregate", {"province_verifier", "it_admin"}),
    "datasets.AggregateOptionValue": (None, set()),  # read through its element like AggregateValue; tests/datasets/test_disaggregation.py
    "indicators.Indicator": ("secret_rate", {"province_verifier", "it_admin"}),
    "indicators.IndicatorValue": ("indicator_value", {"province_verifier", "it_admin"}),
    "indicators.IndicatorTarget": (None, set()),
    "cockpit.WarningRule": ("rule", {"province_verifier", "it_admin"}),
    "cockpit.Alert": ("alert", {"province_verifier", "it_admin"}),
    "cockpit.AlertEvent": (None, set()),
    "cockpit.DashboardPin": ("pin", set()),  # entry_b's own
    "cockpit.InformationRequest": ("need", {"executive", "it_admin"}),
    "verification.Submission": ("submission", {"province_verifier", "it_admin"}),
    "verification.SubmissionEvent": ("event", {"province_verifier", "it_admin"}),
    "verification.Violation": (None, set()),
    "verification.ValidationRule": (None, set()),
    "verification.OutlierConfirmation": (None, set()),
    "verification.Notification": ("notification", set()),  # entry_b's own
    "maps.ThematicLayer": ("layer", {"province_verifier", "it_admin"}),
    "maps.ThematicFeature": ("feature", {"province_verifier", "it_admin"}),
    "documents.Document": ("document", {"province_verifier", "it_admin"}),
    "documents.Attachment": ("attachment", {"province_verifier", "it_admin"}),
    "documents.Letter": ("letter", {"it_admin"}),
    "documents.LetterRoute": (None, set()),
    "risk.RiskCampaign": ("campaign", {"entry_a", "verifier_a", "executive", "it_admin"}),
    "risk.RiskResponse": ("response", {"it_admin"}),
    "risk.RiskAnswer": (None, set()),
    "risk.RiskQuestion": ("question", {"entry_a", "verifier_a", "province_verifier", "executive", "it_admin"}),
    "risk.MitigationAction": ("action", {"executive", "it_admin"}),
    "operations.Course": ("course", {"entry_a", "verifier_a", "province_verifier", "executive", "it_admin"}),
    "operations.Participant": ("participant", {"entry_a", "verifier_a", "province_verifier", "executive", "it_admin"}),
    "operations.ContingencyPlanVersion": ("plan", {"entry_a", "verifier_a", "province_verifier", "executive", "it_admin"}),
    "operations.BackupRecord": ("backup", {"it_admin"}),
    "operations.PageView": (None, set()),
    "poc.User": ("entry_b", {"it_admin"}),
    "poc.OrgUnitGroupSet": (None, set()),  # public reference data, no agency; change rule in tests/poc/test_orgunit_groups.py
    "poc.OrgUnitGroup": (None, set()),
}
