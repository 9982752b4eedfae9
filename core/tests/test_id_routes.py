"""An id too large for a bigint column is no route (404), never a lookup that overflows."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "93080066724657603014"  # 20 digits, past 2**63


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/champions/{HUGE}"),
        ("patch", f"/champions/1/patterns/{HUGE}"),
        ("get", f"/training/sessions/{HUGE}"),
        ("post", f"/training/sessions/{HUGE}/messages/3/dispute"),
        ("post", f"/training/sessions/1/messages/{HUGE}/dispute"),
        ("get", f"/training/sessions/1/audio/{HUGE}/speech"),
        ("get", f"/teams/{HUGE}"),
        ("delete", f"/teams/1/invitations/{HUGE}"),
        ("get", f"/teams/{HUGE}/assignments"),
        ("delete", f"/teams/1/assignments/{HUGE}"),
    ],
)
def test_an_id_past_a_bigint_is_404(api_client, method, path):
    response = getattr(api_client, method)(path, {"reason": "unfair"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
