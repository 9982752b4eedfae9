"""Decoding a request's token without redoing what cannot have changed (issue 13).

**Each secret vetted once.**
On every encode and decode, PyJWT checks that an HMAC secret is not an asymmetric key in
disguise (PEM, SSH, a DER key or certificate, a JWK): a guard against algorithm confusion
when keys come from somewhere untrusted. Ours are the settings' ``JWT_SIGNING_KEY`` (or
``SECRET_KEY``), fixed at start-up, and two of the checks parse the secret with
cryptography's DER readers, which fail by raising (issue 13: with the signature checked once
per token too, a request's token took 4 µs to validate instead of 42). ``install`` swaps the
global PyJWS's HS256/384/512 (what simplejwt's ``TokenBackend`` calls) for the same
algorithms whose ``prepare_key`` remembers the secrets that passed; a secret that fails is
refused every time, as before.

**Each token's signature checked once per process.** A client sends the same access token
with every request for its 15 minutes; whether its signature is good is a function of the
token's bytes and our key, so ``VerifiedOnceTokenBackend`` remembers the payloads of tokens
that decoded (a bounded LRU, keyed by the whole token; a bad or forged token never enters it)
and checks their expiry itself on every use, as PyJWT would. What can change is still read per
request: the user row, its token version and password fingerprint (``accounts.authentication``),
and a refresh token's blacklist entry (simplejwt's ``verify``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext_lazy as _
from jwt import api_jws
from jwt.algorithms import HMACAlgorithm
from jwt.utils import force_bytes
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendExpiredToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

# Secrets are configuration, a handful at most; past this many, each is vetted every time.
VETTED_SECRETS_MAX = 8


class VettedOnceHMAC(HMACAlgorithm):
    def __init__(self, hash_alg) -> None:
        super().__init__(hash_alg)
        self._vetted: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def prepare_key(self, key: str | bytes) -> bytes:
        key_bytes = force_bytes(key)
        prepared = self._vetted.get(key_bytes)
        if prepared is not None:
            return prepared
        prepared = super().prepare_key(key_bytes)  # raises InvalidKeyError for a key it refuses
        with self._lock:
            if len(self._vetted) < VETTED_SECRETS_MAX:
                self._vetted[key_bytes] = prepared
        return prepared


_HASHES = {"HS256": HMACAlgorithm.SHA256, "HS384": HMACAlgorithm.SHA384, "HS512": HMACAlgorithm.SHA512}


# Tokens in use at once per process: a worker's clients for 15 minutes. About 1 KB each.
VERIFIED_TOKENS_MAX = 4096


class VerifiedOnceTokenBackend(TokenBackend):
    def __init__(self, *args: Any, clock=time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock
        self._verified: OrderedDict[bytes | str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        if not verify:
            return super().decode(token, verify=False)
        with self._lock:
            payload = self._verified.get(token)
            if payload is not None:
                self._verified.move_to_end(token)
        if payload is None:
            payload = super().decode(token, verify=True)  # raises for a bad, forged or expired token
            if isinstance(payload.get("exp"), int | float):
                with self._lock:
                    self._verified[token] = payload
                    if len(self._verified) > VERIFIED_TOKENS_MAX:
                        self._verified.popitem(last=False)
        elif payload["exp"] <= self.clock() - self.get_leeway().total_seconds():
            # PyJWT's own test and message: the token is refused as if decoded afresh.
            with self._lock:
                self._verified.pop(token, None)
            raise TokenBackendExpiredToken(_("Token is expired"))
        return dict(payload)  # a copy: a token's claims can be changed (a refresh's rotation)


def install(jws: api_jws.PyJWS = api_jws._jws_global_obj) -> None:
    """Registers the vetted-once HMAC algorithms on ``jws`` (PyJWT's global one by default)
    and makes simplejwt's tokens decode through a ``VerifiedOnceTokenBackend`` built from the
    same settings as its own (``rest_framework_simplejwt.state``)."""
    for name, hash_alg in _HASHES.items():
        if isinstance(jws._algorithms.get(name), VettedOnceHMAC):
            continue
        jws.unregister_algorithm(name)
        jws.register_algorithm(name, VettedOnceHMAC(hash_alg))
    if not isinstance(Token._token_backend, VerifiedOnceTokenBackend):
        # simplejwt reads its backend through this class attribute (``Token.token_backend``).
        Token._token_backend = VerifiedOnceTokenBackend(
            api_settings.ALGORITHM,
            api_settings.SIGNING_KEY,
            api_settings.VERIFYING_KEY,
            api_settings.AUDIENCE,
            api_settings.ISSUER,
            api_settings.JWK_URL,
            api_settings.LEEWAY,
            api_settings.JSON_ENCODER,
        )
