"""The OpenAPI schema: valid, complete (every operation documented with examples and its
error answers), served with a local UI."""

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

# As every API test: no challenge, no rate limits (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("protections_off")

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 meta-schema


def test_the_contracted_public_paths_are_there(schema):
    assert {
        ("/api/v1/services/", "get"),
        ("/api/v1/services/{slug}/slots/", "get"),
        ("/api/v1/challenge/", "get"),
        ("/api/v1/bookings/", "post"),
        ("/api/v1/bookings/{code}/", "get"),
        ("/api/v1/bookings/{code}/verify/", "post"),
        ("/api/v1/bookings/{code}/cancel/", "post"),
        ("/api/v1/bookings/{code}/reschedule/", "post"),
        ("/api/v1/display/", "get"),
    } <= {(path, method) for path, method, _op in operations(schema)}
    slots = schema["paths"]["/api/v1/services/{slug}/slots/"]["get"]
    assert {"from", "to", "surname"} <= {p["name"] for p in slots["parameters"]}


def test_every_operation_has_a_summary_tags_and_examples(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), (path, method)
        assert operation.get("tags"), (path, method)
        has_example = any(
            "examples" in content
            for response in operation["responses"].values()
            for content in response.get("content", {}).values()
        ) or any(
            "examples" in c for c in operation.get("requestBody", {}).get("content", {}).values()
        )
        assert has_example or (method == "post" and "204" in operation["responses"]), (path, method)


def test_every_operation_documents_its_error_answers(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        if path.startswith("/api/v1/staff/") or path == "/api/v1/display/":
            assert {"401", "403"} <= codes, (path, method)
        if "requestBody" in operation or any(
            p["in"] == "query" and p["name"] not in ("page", "page_size")
            for p in operation.get("parameters", [])
        ):
            assert "400" in codes, (path, method)
        for code in codes - {"200", "201", "204"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, code)


def test_staff_operations_name_their_security(schema):
    for path, method, operation in operations(schema):
        schemes = {name for requirement in operation["security"] for name in requirement}
        if path.startswith("/api/v1/staff/"):
            assert schemes == {"tokenAuth", "cookieAuth"}, (path, method)
        elif path == "/api/v1/display/":
            assert schemes == {"deviceToken"}
        else:
            assert schemes == set(), (path, method)


def test_the_schema_and_its_ui_are_served_locally(client):
    response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["info"]["title"].startswith("Ausländerbehörde Wiesbaden")

    for page in ("/api/docs/", "/api/redoc/"):
        html = client.get(page).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert b"/api/schema/" in script.content


# --- The schema states what validation enforces (issue 14) --------------------------------


def _parameters(schema, path, method="get"):
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


@pytest.mark.parametrize("component", ["BookingInput", "WalkInInput"])
def test_names_are_required_non_empty_in_the_schema(schema, component):
    properties = schema["components"]["schemas"][component]["properties"]
    for name in ("surname", "given_names"):
        assert properties[name]["minLength"] == 1, (component, name)
        assert properties[name]["maxLength"] > 1


@pytest.mark.parametrize(
    ("component", "path"),
    [("BookingInput", None), (None, "/api/v1/services/{slug}/slots/")],
)
def test_the_surname_rule_is_stated_where_it_is_checked(schema, component, path):
    if component:
        surname = schema["components"]["schemas"][component]["properties"]["surname"]
    else:
        surname = _parameters(schema, path)["surname"]
        surname = {**surname["schema"], "description": surname["description"]}
    assert surname["minLength"] == 1
    assert "Latin letter" in surname["description"]


def test_every_page_size_is_a_positive_bounded_integer(schema):
    listed = 0
    for path, item in schema["paths"].items():
        parameters = _parameters(schema, path) if "get" in item else {}
        if "page_size" not in parameters:
            continue
        listed += 1
        page_size = parameters["page_size"]["schema"]
        assert page_size["type"] == "integer" and not page_size.get("nullable"), path
        assert (page_size["minimum"], page_size["maximum"]) == (1, 200), path
        assert parameters["page"]["schema"]["minimum"] == 1, path
    assert listed >= 5
