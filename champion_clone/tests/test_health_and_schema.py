import pytest
import yaml

from champion_clone.health import check_broker

pytestmark = pytest.mark.django_db


def test_health_reports_each_dependency_up(anon_client):
    response = anon_client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert {"database", "cache", "broker"} <= set(body["checks"])
    assert all(check["status"] == "up" for check in body["checks"].values())


def unreachable_broker() -> str:
    return check_broker("redis://127.0.0.1:9/0")  # nothing listens on the discard port


def test_health_is_503_naming_the_broker_when_it_is_down(anon_client, settings):
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "broker": f"{__name__}.unreachable_broker"}
    response = anon_client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["database"]["status"] == "up"


def test_schema_describes_the_auth_endpoints_with_error_responses(anon_client):
    response = anon_client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    login = schema["paths"]["/auth/login"]["post"]
    assert {"200", "400", "401", "429"} <= set(login["responses"])
    assert "Error" in schema["components"]["schemas"]
    assert "jwtAuth" in schema["components"]["securitySchemes"]


def test_swagger_ui_is_served_without_a_cdn(anon_client):
    response = anon_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
