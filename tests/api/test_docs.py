import re

from django.contrib.staticfiles import finders


def test_schema_is_openapi_3_and_names_every_endpoint(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/dataValueSets/", "/api/datavalues/", "/api/analytics/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["ApiToken"]["name"] == "Authorization"


def test_docs_page_loads_swagger_ui_from_our_static_files_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    assert "<script>" not in response.text  # the CSP forbids inline scripts: the init script is a file too
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = next(s for s in sources if "script" in s)
    assert "SwaggerUIBundle" in client.get(script).text
