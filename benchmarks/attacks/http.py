"""The clients: one ``Actor`` per simulated person (a browser or an API client with an address
of its own), speaking the API with Bearer tokens and the admin with a session and CSRF."""

from __future__ import annotations

import html
import re
import secrets
import time
from typing import Any

import requests

from attacks.base import Context, SceneError

TIMEOUT = 30.0
ADMIN = "/django-admin"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ERROR_ITEM = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
_TAG = re.compile(r"<[^>]+>")
_MAX_RATE_LIMIT_WAIT = 65.0


def strong_password() -> str:
    """A password the product's policy accepts (upper, lower, digit, special, not common)."""
    return f"Qx7!{secrets.token_urlsafe(9)}-Lm3"


def short(response: requests.Response, limit: int = 140) -> str:
    """``<status> <start of the body>`` on one line, for evidence."""
    body = " ".join(response.text.split())[:limit]
    return f"{response.status_code} {body}"


def form_errors(page: str) -> str:
    """The admin form's error messages, as text ("" when the form had none)."""
    items = [html.unescape(_TAG.sub(" ", block)) for block in _ERROR_ITEM.findall(page)]
    return " | ".join(" ".join(item.split()) for item in items if item.strip())


class Actor:
    """One client: its address (what the trusted proxy appends to X-Forwarded-For), its cookies,
    and, once registered or logged in, its tokens."""

    def __init__(self, context: Context, label: str, address: str | None = None) -> None:
        self.context = context
        self.label = label
        self.address = address or context.new_address()
        self.session = requests.Session()
        self.email = ""
        self.password = ""
        self.user_id: int | None = None
        self.access = ""
        self.refresh = ""
        self.device_token = ""

    # --- raw HTTP -----------------------------------------------------------------------
    def request(self, method: str, path: str, *, token: str = "", forwarded: str = "", **kwargs: Any):
        headers = {"X-Forwarded-For": forwarded or self.address, **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(
            method, self.context.base_url + path, headers=headers, allow_redirects=False, **kwargs
        )

    def api(self, method: str, path: str, **kwargs: Any):
        """A request with this actor's access token (unless ``token`` says otherwise)."""
        kwargs.setdefault("token", self.access)
        return self.request(method, path, **kwargs)

    # --- accounts -----------------------------------------------------------------------
    def register(self, *, email: str = "", full_name: str = "", **extra: Any):
        self.email = email or self.context.email(self.label)
        self.password = self.password or strong_password()
        body = {"email": self.email, "password": self.password, "full_name": full_name or "Pat Example", **extra}
        response = self.request("POST", "/auth/register", json=body)
        if response.status_code == 201:
            self._keep_tokens(response.json())
        return response

    def login(self, *, password: str = "", device_token: str = "", **kwargs: Any):
        body = {"email": self.email, "password": password or self.password}
        if device_token:
            body["device_token"] = device_token
        response = self.request("POST", "/auth/login", json=body, **kwargs)
        if response.status_code == 200:
            data = response.json()
            self._keep_tokens(data)
            self.device_token = data.get("device_token", "") or self.device_token
        return response

    def _keep_tokens(self, data: dict[str, Any]) -> None:
        self.access, self.refresh = data["access_token"], data["refresh_token"]
        self.user_id = data["user"]["id"]

    def upload(self, filename: str, content: bytes, content_type: str = "audio/wav", **fields: Any):
        files = {"file": (filename, content, content_type)}
        return self.api("POST", "/upload", files=files, data=fields, timeout=120)

    # --- the staff admin ----------------------------------------------------------------
    def admin_login(self, email: str, password: str, *, cookie_device_token: str = ""):
        """Logs in through the admin's form; keeps the device cookie it answers with (sent back
        over this plain-HTTP loopback although the server marks it Secure, as a browser on
        the HTTPS site would)."""
        if cookie_device_token:
            self.session.cookies.set("device_token", cookie_device_token)
        page = self.request("GET", f"{ADMIN}/login/")
        data = {"username": email, "password": password, "next": f"{ADMIN}/"}
        response = self.request("POST", f"{ADMIN}/login/", data={**data, "csrfmiddlewaretoken": csrf(page.text)})
        device = response.cookies.get("device_token")
        if device:
            self.session.cookies.set("device_token", device)
            self.device_token = device
        if response.status_code == 302:
            self.email, self.password = email, password
        return response

    def staff(self, email: str, password: str) -> Actor:
        response = self.admin_login(email, password)
        if response.status_code != 302:
            raise SceneError(f"staff login of {email} failed: {short(response)}")
        return self

    def admin_post(self, path: str, data: dict[str, Any], *, form_page: str = ""):
        """POSTs an admin form with the CSRF token of its page (``form_page``, else ``path``);
        waits out one admin rate limit (429) and tries again."""
        for _ in range(2):
            page = self.request("GET", form_page or path)
            response = self.request("POST", path, data={**data, "csrfmiddlewaretoken": csrf(page.text)})
            if response.status_code != 429:
                return response
            time.sleep(min(float(response.headers.get("Retry-After", "60")) + 1, _MAX_RATE_LIMIT_WAIT))
        return response


def csrf(page: str) -> str:
    match = _CSRF_INPUT.search(page)
    return match.group(1) if match else ""


def new_rep(context: Context, label: str, **register: Any) -> Actor:
    """A freshly registered rep with its own address."""
    actor = Actor(context, label)
    response = actor.register(**register)
    if response.status_code != 201:
        raise SceneError(f"registering {label} failed: {short(response)}")
    return actor
