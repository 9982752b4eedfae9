import base64

import pytest
from standardwebhooks.webhooks import Webhook

from webhooks_app import signing

# https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = '{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signer_reproduces_the_specification_test_vector():
    signature = signing.sign(secret=SPEC_SECRET, message_id=SPEC_MESSAGE_ID, timestamp=SPEC_TIMESTAMP, body=SPEC_BODY)
    assert signature == SPEC_SIGNATURE


def test_a_changed_body_id_or_timestamp_changes_the_signature():
    others = {
        signing.sign(secret=SPEC_SECRET, message_id=SPEC_MESSAGE_ID, timestamp=SPEC_TIMESTAMP, body='{"test": 1}'),
        signing.sign(secret=SPEC_SECRET, message_id="msg_other", timestamp=SPEC_TIMESTAMP, body=SPEC_BODY),
        signing.sign(secret=SPEC_SECRET, message_id=SPEC_MESSAGE_ID, timestamp=SPEC_TIMESTAMP + 1, body=SPEC_BODY),
    }
    assert SPEC_SIGNATURE not in others and len(others) == 3


def test_generated_secrets_are_whsec_and_32_random_bytes():
    first, second = signing.secret_generate(), signing.secret_generate()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


def test_two_secrets_sign_with_two_space_separated_signatures_each_verifiable():
    new, old = signing.secret_generate(), signing.secret_generate()
    import time

    timestamp = int(time.time())
    headers = signing.headers_for(secrets_in_use=[new, old], message_id="msg_1", timestamp=timestamp, body=b"{}")
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        Webhook(secret).verify(b"{}", headers)


def test_an_invalid_secret_is_refused():
    with pytest.raises(signing.InvalidSecret):
        signing.sign(secret="whsec_not base64!", message_id="msg", timestamp=1, body="{}")
