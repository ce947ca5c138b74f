"""The base handler of the `opsvalue` service: identity from the hub, one scope check per endpoint.

`self.hub_user` is the name the hub gives for the request's token (API: `Authorization: token …`)
or OAuth cookie (browser pages); it never comes from the request body. `require_scope(SCOPE)`
answers 403 (JSON for the API, a short page for the browser) unless the token holds the scope.
Identification is awaited (`prepare`), so one slow hub lookup never blocks other requests.
"""
from __future__ import annotations

import html
import json
from typing import Any

from jupyterhub.services.auth import HubOAuth, HubOAuthenticated
from tornado import web

from .config import REVIEW, SUBMIT

__all__ = ["BaseHandler", "ApiHandler", "PageHandler", "SUBMIT", "REVIEW"]


class BaseHandler(HubOAuthenticated, web.RequestHandler):
    """Shared by the API (token) and the pages (OAuth cookie). Subclasses set `api`."""

    api = True

    @property
    def hub_auth(self) -> HubOAuth:
        return self.settings["hub_auth"]

    @property
    def store(self) -> Any:
        return self.settings["opsvalue_store"]

    async def prepare(self) -> None:
        model = None
        try:
            found = await self.hub_auth.get_user(self, sync=False)
            model = self.check_hub_user(found) if found else None
        except web.HTTPError:
            raise
        except Exception:  # noqa: BLE001 - UserNotAllowed and hub lookups that fail: not identified
            model = None
        self._hub_auth_user_cache = model
        if model is None or model.get("kind", "user") != "user":
            if self.api or self.request.method != "GET":
                self.fail(403, "not identified: send a JupyterHub token with access to this service "
                               "(Authorization: token …)")
            else:
                self.redirect(self.get_login_url())
            return

    @property
    def hub_user(self) -> str:
        return str(self.current_user["name"])

    def has_scope(self, scope: str) -> bool:
        return bool(self.hub_auth.check_scopes([scope], self.current_user))

    def require_scope(self, scope: str) -> None:
        if not self.has_scope(scope):
            what = "review the class" if scope == REVIEW else "submit to this course"
            self.fail(403, f"user {self.hub_user!r} may not {what} (needs scope {scope})")

    def fail(self, status: int, message: str) -> None:
        raise web.HTTPError(status, reason="Forbidden" if status == 403 else None, log_message=message)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(exc, "log_message", None) or self._reason
        if self.api:
            self.set_header("Content-Type", "application/json; charset=utf-8")
            self.finish(json.dumps({"error": message}, ensure_ascii=False))
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(f"<!doctype html><meta charset='utf-8'><title>{status_code}</title>"
                        f"<h1>{status_code}</h1><p>{html.escape(str(message))}</p>")

    def send_json(self, doc: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(doc, ensure_ascii=False))


class ApiHandler(BaseHandler):
    api = True

    def check_xsrf_cookie(self) -> None:
        """Token requests need no xsrf; a cookie-authenticated write is checked by the hub's rules."""
        if self.request.headers.get("Authorization"):
            return
        super().check_xsrf_cookie()


class PageHandler(BaseHandler):
    api = False
