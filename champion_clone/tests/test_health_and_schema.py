import pytest
import yaml

from champion_clone.health import check_broker

pytestmark = pytest.mark.django_db


def test_health_tells_anonymous_callers_only_up_or_down(anon_client):
    response = anon_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_details_are_for_a_configured_token(anon_client, settings):
    settings.HEALTH_TOKEN = "monitor-token-0123456789"
    assert anon_client.get("/health", HTTP_AUTHORIZATION="Bearer wrong-token").json() == {"status": "ok"}
    response = anon_client.get("/health", HTTP_AUTHORIZATION="Bearer monitor-token-0123456789")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert {"database", "cache", "broker", "vector_store"} <= set(body["checks"])
    assert all(check["status"] == "up" for check in body["checks"].values())


def test_health_details_are_for_staff_signed_in_to_the_admin(client, admin_user, user, api_client):
    assert api_client.get("/health").json() == {"status": "ok"}  # a rep's JWT is not staff
    client.force_login(admin_user)
    body = client.get("/health").json()
    assert body["checks"]["database"]["status"] == "up"


def unreachable_broker() -> str:
    return check_broker("redis://127.0.0.1:9/0")  # nothing listens on the discard port


def test_health_is_503_naming_the_broker_when_it_is_down(anon_client, settings):
    settings.HEALTH_CHECKS = {**settings.HEALTH_CHECKS, "broker": f"{__name__}.unreachable_broker"}
    assert anon_client.get("/health/").status_code == 503
    assert anon_client.get("/health/").json() == {"status": "degraded"}
    settings.HEALTH_TOKEN = "monitor-token-0123456789"
    response = anon_client.get("/health/", HTTP_AUTHORIZATION="Bearer monitor-token-0123456789")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["checks"]["database"]["status"] == "up"
    assert "redis" not in anon_client.get("/health/").content.decode()


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
