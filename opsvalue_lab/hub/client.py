"""The trainee-side client of the `opsvalue` service, used by widgets in the single-user kernel.

`HubClient.from_env()` is None when not on an opsvalue hub; on a hub it reads OPSVALUE_SERVICE_URL,
JUPYTERHUB_API_TOKEN and JUPYTERHUB_USER (set by the hub on the user's server; kernels inherit them).
Plain urllib, short timeouts. Connection errors and 5xx become one `HubUnavailable` whose message a
trainee can read; a 4xx becomes `HubRefused` carrying the service's own message.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from ..errors import OpsValueError

TIMEOUT = 3.0


class HubUnavailable(OpsValueError):
    """The service cannot be reached now (down, restarting, network); try again later."""


class HubRefused(OpsValueError):
    """The service answered 4xx; the message is the service's reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class HubClient:
    base_url: str      # ends with "/"
    token: str
    user: str
    timeout: float = TIMEOUT

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> HubClient | None:
        e = os.environ if env is None else env
        url, token, user = (e.get("OPSVALUE_SERVICE_URL", ""), e.get("JUPYTERHUB_API_TOKEN", ""),
                            e.get("JUPYTERHUB_USER", ""))
        if not (url and token and user):
            return None
        return cls(url.rstrip("/") + "/", token, user)

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str = "application/json") -> tuple[int, bytes]:
        """(status, body) of a 2xx answer; HubRefused for 4xx, HubUnavailable otherwise."""
        req = urllib.request.Request(self.base_url + path.lstrip("/"), data=body, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": content_type, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:  # noqa: S310 - our own service URL
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            data = e.read() if e.fp else b""
            if 400 <= e.code < 500:
                raise HubRefused(e.code, _error_text(data) or f"HTTP {e.code}") from None
            raise HubUnavailable(f"the course service answered HTTP {e.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as e:
            reason = getattr(e, "reason", e)
            raise HubUnavailable(f"the course service cannot be reached ({reason})") from None

    def json(self, method: str, path: str, body: bytes | None = None) -> Any:
        _status, data = self.request(method, path, body)
        try:
            return json.loads(data or b"null")
        except ValueError:
            raise HubUnavailable("the course service sent an answer that is not JSON") from None

    def config(self) -> dict[str, Any]:
        return self.json("GET", "api/config")

    def submit(self, data: bytes) -> dict[str, Any]:
        """Send submission bytes; the receipt {"trainee", "status", "received_at", ...}."""
        return self.json("POST", "api/submissions", data)

    def feedback(self) -> bytes | None:
        """The caller's own feedback document (bytes of a feedback file), or None when there is none."""
        try:
            return self.request("GET", "api/feedback")[1]
        except HubRefused as e:
            if e.status == 404:
                return None
            raise


def _error_text(data: bytes) -> str:
    try:
        doc = json.loads(data)
        return str(doc.get("error", "")) if isinstance(doc, dict) else ""
    except ValueError:
        return data[:200].decode("utf-8", "replace")
