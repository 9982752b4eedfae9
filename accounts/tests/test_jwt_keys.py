"""PyJWT's HMAC algorithms, each secret vetted once (``accounts.jwt_keys``): tokens are signed
and checked as before, a refused key is refused every time, and the checks run once per secret."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt import api_jws
from jwt.algorithms import HMACAlgorithm
from jwt.exceptions import InvalidKeyError, InvalidSignatureError

from accounts.jwt_keys import VETTED_SECRETS_MAX, VettedOnceHMAC, install

SECRET = "a-secret-of-the-settings-long-enough-for-sha-256-0123456789"


def test_the_global_pyjws_checks_hmac_tokens_with_the_vetted_once_algorithms():
    for name in ("HS256", "HS384", "HS512"):
        assert isinstance(api_jws._jws_global_obj._algorithms[name], VettedOnceHMAC)
    install()  # twice is harmless


def test_tokens_are_signed_and_checked_as_before():
    token = jwt.encode({"user_id": "1"}, SECRET, algorithm="HS256")
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"user_id": "1"}
    with pytest.raises(InvalidSignatureError):
        jwt.decode(token, SECRET + "x", algorithms=["HS256"])
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(forged, SECRET, algorithms=["HS256"])


def test_a_secret_is_vetted_once(monkeypatch):
    vetted: list[bytes] = []
    original = HMACAlgorithm.prepare_key

    def counting(self, key):
        vetted.append(key)
        return original(self, key)

    monkeypatch.setattr(HMACAlgorithm, "prepare_key", counting)
    algorithm = VettedOnceHMAC(HMACAlgorithm.SHA256)
    for _ in range(5):
        assert algorithm.prepare_key(SECRET) == SECRET.encode()
    assert vetted == [SECRET.encode()]


def test_an_asymmetric_key_is_refused_every_time():
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    algorithm = VettedOnceHMAC(HMACAlgorithm.SHA256)
    for _ in range(2):
        with pytest.raises(InvalidKeyError):
            algorithm.prepare_key(pem)
    assert algorithm._vetted == {}


def test_only_a_handful_of_secrets_are_remembered():
    algorithm = VettedOnceHMAC(HMACAlgorithm.SHA256)
    for index in range(VETTED_SECRETS_MAX + 5):
        assert algorithm.prepare_key(f"{SECRET}-{index}") == f"{SECRET}-{index}".encode()
    assert len(algorithm._vetted) == VETTED_SECRETS_MAX
