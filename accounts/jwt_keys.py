"""PyJWT's HMAC algorithms, each secret vetted once instead of on every token.

On every encode and decode, PyJWT checks that an HMAC secret is not an asymmetric key in
disguise (PEM, SSH, a DER key or certificate, a JWK): a guard against algorithm confusion
when keys come from somewhere untrusted. Ours are the settings' ``JWT_SIGNING_KEY`` (or
``SECRET_KEY``), fixed at start-up, and two of the checks parse the secret with
cryptography's DER readers, which fail by raising: measured at 4 to 200 µs of each
authenticated request inside the middleware stack (issue 13), against 40 µs for the rest of
the token's decoding. ``install`` swaps the global PyJWS's HS256/384/512 (what simplejwt's
``TokenBackend`` calls) for the same algorithms whose ``prepare_key`` remembers the secrets
that passed; a secret that fails is refused every time, as before.
"""

from __future__ import annotations

import threading

from jwt import api_jws
from jwt.algorithms import HMACAlgorithm
from jwt.utils import force_bytes

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


def install(jws: api_jws.PyJWS = api_jws._jws_global_obj) -> None:
    """Registers the vetted-once HMAC algorithms on ``jws`` (PyJWT's global one by default)."""
    for name, hash_alg in _HASHES.items():
        if isinstance(jws._algorithms.get(name), VettedOnceHMAC):
            continue
        jws.unregister_algorithm(name)
        jws.register_algorithm(name, VettedOnceHMAC(hash_alg))
