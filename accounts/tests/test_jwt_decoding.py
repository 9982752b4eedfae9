"""Decoding tokens without redoing what cannot change (``accounts.jwt_decoding``): tokens are
signed and checked as before, a refused key or a forged token is refused every time, a secret
is vetted once, and a token's signature is checked once while its expiry is checked on every use."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt import api_jws
from jwt.algorithms import HMACAlgorithm
from jwt.exceptions import InvalidKeyError, InvalidSignatureError
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenBackendExpiredToken
from rest_framework_simplejwt.tokens import Token

from accounts.jwt_decoding import VETTED_SECRETS_MAX, VerifiedOnceTokenBackend, VettedOnceHMAC, install

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


def backend(clock) -> VerifiedOnceTokenBackend:
    return VerifiedOnceTokenBackend("HS256", SECRET, clock=clock)


def test_simplejwt_decodes_through_the_verified_once_backend():
    assert isinstance(Token._token_backend, VerifiedOnceTokenBackend)


def test_a_token_is_verified_once_then_its_expiry_checked_on_every_use(monkeypatch):
    now = [time.time()]
    tokens = backend(lambda: now[0])
    token = jwt.encode({"user_id": "1", "exp": int(now[0]) + 60}, SECRET, algorithm="HS256")
    decoded: list[str] = []
    original = TokenBackend.decode

    def counting(self, raw, verify=True):
        decoded.append(raw)
        return original(self, raw, verify)

    monkeypatch.setattr(TokenBackend, "decode", counting)
    first = tokens.decode(token)
    first["user_id"] = "changed"  # the caller's copy
    assert tokens.decode(token) == {"user_id": "1", "exp": int(now[0]) + 60}
    assert decoded == [token]
    now[0] += 61
    with pytest.raises(TokenBackendExpiredToken):
        tokens.decode(token)
    assert tokens._verified == {}


def test_a_forged_or_foreign_token_is_never_remembered():
    tokens = backend(time.time)
    good = jwt.encode({"user_id": "1", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    assert tokens.decode(good)["user_id"] == "1"
    header, payload, _signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged_payload = base64.urlsafe_b64encode(json.dumps({**claims, "user_id": "2"}).encode()).rstrip(b"=").decode()
    forged = f"{header}.{forged_payload}.{_signature}"
    foreign = jwt.encode(
        {"user_id": "2", "exp": int(time.time()) + 60}, "another secret of the same length......", "HS256"
    )
    for token in (forged, foreign, forged):
        with pytest.raises(TokenBackendError):
            tokens.decode(token)
    assert list(tokens._verified) == [good]


def test_the_cache_keeps_the_most_recent_tokens(monkeypatch):
    monkeypatch.setattr("accounts.jwt_decoding.VERIFIED_TOKENS_MAX", 3)
    tokens = backend(time.time)
    issued = [
        jwt.encode({"user_id": str(index), "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
        for index in range(4)
    ]
    for token in issued[:3]:
        tokens.decode(token)
    tokens.decode(issued[0])  # used again: the most recent
    tokens.decode(issued[3])
    assert list(tokens._verified) == [issued[2], issued[0], issued[3]]
