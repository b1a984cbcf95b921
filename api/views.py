"""API endpoints. Thin: validate parameters, ask ``api.access``/selectors what the caller may see, call services."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound, ParseError, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import access, ckan, selectors
from api.dhis2 import MAX_VALUES, write_json
from api.dhis2_periods import from_dhis2
from api.filters import DataValueFilter
from api.renderers import (
    AdxParser,
    AdxRenderer,
    CsvTableRenderer,
    Dhis2CsvParser,
    Dhis2CsvRenderer,
    Dhis2JsonParser,
    Dhis2JsonRenderer,
    Dhis2TextCsvParser,
)
from api.serializers import (
    AnalyticsQuery,
    AnalyticsSerializer,
    CategoriesSerializer,
    CkanListQuery,
    CkanResponseSerializer,
    CkanSearchQuery,
    CkanShowQuery,
    DataValueRowSerializer,
    DataValueSetQuery,
    DataValueSetSerializer,
    ImportOptions,
    WebMessageSerializer,
)
from api.services import datavaluesets_import
from poc.models import OrgUnit
from poc.periods import PeriodError


class DataValueSetsView(APIView):
    """DHIS2's ``/api/dataValueSets``: export (GET) and import (POST) in JSON, CSV and ADX; identifiers are codes."""

    parser_classes = [Dhis2JsonParser, Dhis2CsvParser, Dhis2TextCsvParser, AdxParser]
    renderer_classes = [Dhis2JsonRenderer, Dhis2CsvRenderer, AdxRenderer]

    @extend_schema(
        operation_id="dataValueSets_export",
        parameters=[DataValueSetQuery],
        responses={
            (200, "application/json"): DataValueSetSerializer,
            (200, "application/csv"): OpenApiResponse(OpenApiTypes.STR, description="DHIS2 CSV"),
            (200, "application/adx+xml"): OpenApiResponse(OpenApiTypes.STR, description="ADX XML"),
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request: Request, format: str | None = None) -> Response:
        query = DataValueSetQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        units = list(OrgUnit.objects.without_shapes().filter(code__in=params["orgUnit"]))
        unknown = set(params["orgUnit"]) - {u.code for u in units}
        if unknown:
            raise ValidationError({"orgUnit": [_("Unknown org unit(s): %(c)s") % {"c": ", ".join(sorted(unknown))}]})
        readable = set(access.readable_datasets(request.user).filter(code__in=params["dataSet"]).values_list("code", flat=True))
        hidden = set(params["dataSet"]) - readable
        if hidden:
            raise ValidationError({"dataSet": [_("Dataset(s) not found or not accessible: %(c)s") % {"c": ", ".join(sorted(hidden))}]})
        try:
            periods = [from_dhis2(p) for p in params.get("period", [])]
        except PeriodError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        adx = request.accepted_renderer.format == "adx"
        values = selectors.dhis2_export(
            user=request.user,
            datasets=sorted(readable),
            orgunits=units,
            children=params["children"] or params["includeDescendants"],
            periods=periods,
            start=params.get("startDate"),
            end=params.get("endDate"),
            last_updated=params.get("lastUpdated"),
            adx=adx,
        )
        if len(values) > MAX_VALUES:
            raise ValidationError({"detail": [_("More than %(n)s values: ask for fewer periods or org units.") % {"n": f"{MAX_VALUES:,}"}]})
        if request.accepted_renderer.format in ("csv", "adx"):
            dataset_of = selectors.dataset_codes_of([v.data_element for v in values]) if adx else {}
            return Response({"values": values, "dataset_of": dataset_of})
        return Response(write_json(values))

    @extend_schema(
        operation_id="dataValueSets_import",
        parameters=[ImportOptions],
        request={
            "application/json": DataValueSetSerializer,
            "application/csv": OpenApiTypes.STR,
            "application/adx+xml": OpenApiTypes.STR,
        },
        responses={
            200: WebMessageSerializer,
            409: WebMessageSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            413: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request: Request, format: str | None = None) -> Response:
        # The import summary is JSON whatever format was sent (as DHIS2 answers).
        request.accepted_renderer, request.accepted_media_type = Dhis2JsonRenderer(), "application/json"
        if not request.user.is_authenticated:
            raise NotAuthenticated
        options = ImportOptions(data=request.query_params)
        options.is_valid(raise_exception=True)
        params = options.validated_data
        size = request.META.get("CONTENT_LENGTH") or "0"
        if not size.isdigit() or int(size) > settings.POC_API_MAX_BODY_BYTES:
            return Response({"detail": _("The request is too large: send the values in parts.")}, status=413)
        values = request.data
        if not isinstance(values, list):
            raise ParseError(_("Send data values as JSON, CSV (application/csv) or ADX (application/adx+xml)."))
        summary = datavaluesets_import(
            user=request.user,
            values=values,
            strategy=params["importStrategy"],
            atomic=params["atomicMode"] == "ALL",
            dry_run=params["dryRun"],
        )
        ok = summary.status != "ERROR"
        code = status.HTTP_200_OK if ok else status.HTTP_409_CONFLICT
        message = {
            "SUCCESS": _("Import was successful."),
            "WARNING": _("Import finished with conflicts; see the list."),
            "ERROR": _("Nothing was imported: every conflict is listed."),
        }[summary.status]
        return Response(
            {
                "httpStatus": "OK" if ok else "Conflict",
                "httpStatusCode": code,
                "status": "OK" if ok else "ERROR",
                "message": message,
                "response": summary.as_dict(),
            },
            status=code,
        )


class DataValuePagination(CursorPagination):
    ordering = "id"
    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10_000


class DataValueList(ListAPIView):
    """``/api/datavalues/``: the values the caller may read, filtered, a page at a time (``next`` links); ``format=csv``."""

    serializer_class = DataValueRowSerializer
    filterset_class = DataValueFilter
    pagination_class = DataValuePagination
    renderer_classes = [Dhis2JsonRenderer, CsvTableRenderer]
    # option_combo last, so clients reading the columns by position keep working
    csv_columns = ["dataset", "element", "orgunit", "period", "value", "not_available", "updated_at", "option_combo"]

    def get_queryset(self):
        code = self.request.query_params.get("dataset")
        if code and not access.readable_datasets(self.request.user).filter(code=code).exists():
            raise NotFound(_("Dataset not found or not accessible."))
        return selectors.datavalues_readable(self.request.user)


class CategoriesView(APIView):
    """Disaggregation metadata: categories and options, combinations and their option combinations, each readable
    element's combination; the codes ``option``/``option_combo`` and ``categoryOptionCombo`` take."""

    renderer_classes = [Dhis2JsonRenderer]

    @extend_schema(responses={200: CategoriesSerializer})
    def get(self, request: Request) -> Response:
        return Response(selectors.categories_catalogue(request.user))


class AnalyticsView(APIView):
    """Element × org unit × period (× category option) from the live aggregates (sums over each unit's subtree, rolled
    up over periods)."""

    @extend_schema(parameters=[AnalyticsQuery], responses={200: AnalyticsSerializer, 400: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = AnalyticsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        try:
            rows = selectors.analytics(
                user=request.user,
                elements=params["element"],
                orgunits=params["orgunit"],
                periods=params["period"],
                children=params["children"],
                options=params.get("option"),
            )
        except LookupError as exc:
            raise ValidationError({"detail": [str(exc)]}) from None
        return Response({"headers": ["element", "orgunit", "period", "categoryoptioncombo", "value"], "rows": rows})


# --- CKAN action API (the national data catalogue harvests these) --------------------------------------
class CkanAction(APIView):
    """CKAN's envelope: ``{"help", "success", "result"}``, or ``{"success": false, "error": {...}}``; public data only."""

    action = ""
    renderer_classes = [Dhis2JsonRenderer]

    def envelope(self, result=None, *, error: str = "", kind: str = "", code: int = 200) -> Response:
        body: dict = {"help": self.request.build_absolute_uri(f"/api/3/action/help_show?name={self.action}"), "success": not error}
        if error:
            body["error"] = {"__type": kind, "message": error}
        else:
            body["result"] = result
        return Response(body, status=code)


class CkanPackageList(CkanAction):
    action = "package_list"

    @extend_schema(parameters=[CkanListQuery], responses={200: CkanResponseSerializer, 409: CkanResponseSerializer})
    def get(self, request: Request) -> Response:
        query = CkanListQuery(data=request.query_params)
        if not query.is_valid():
            return self.envelope(error=str(query.errors), kind="Validation Error", code=409)
        offset, limit = query.validated_data["offset"], query.validated_data.get("limit")
        names = [ckan.slug(code) for code in ckan.packages().values_list("code", flat=True)]
        return self.envelope(names[offset : offset + limit if limit else None])


class CkanPackageShow(CkanAction):
    action = "package_show"

    @extend_schema(parameters=[CkanShowQuery], responses={200: CkanResponseSerializer, 404: CkanResponseSerializer})
    def get(self, request: Request) -> Response:
        dataset = ckan.package_find(request.query_params.get("id", ""))
        if dataset is None:
            return self.envelope(error=_("Not found"), kind="Not Found Error", code=404)
        return self.envelope(ckan.package_dicts([dataset], request)[0])


class CkanPackageSearch(CkanAction):
    action = "package_search"

    @extend_schema(parameters=[CkanSearchQuery], responses={200: CkanResponseSerializer, 409: CkanResponseSerializer})
    def get(self, request: Request) -> Response:
        query = CkanSearchQuery(data=request.query_params)
        if not query.is_valid():
            return self.envelope(error=str(query.errors), kind="Validation Error", code=409)
        params = query.validated_data
        found = ckan.package_search(params["q"])
        page = list(found[params["start"] : params["start"] + params["rows"]])
        return self.envelope(
            {"count": found.count(), "sort": "name asc", "facets": {}, "search_facets": {}, "results": ckan.package_dicts(page, request)}
        )
