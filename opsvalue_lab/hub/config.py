"""`configure(c, ...)`: the ONE place that sets up JupyterHub for an opsvalue class.

Both the TLJH drop-in (deploy/tljh/opsvalue.py) and `opsvalue-lab hub-demo` call it on the hub's
config object, so what the tests run is what an administrator deploys. It registers:

- the hub-managed service `opsvalue` (python -m opsvalue_lab.hub.service, course store in
  <data_dir>/course, received files in <data_dir>/received);
- custom scopes `custom:opsvalue:submit` (every user of this hub: a trainee of the course) and
  `custom:opsvalue:review` (the instructors, through the group `opsvalue-instructors`);
- the single-user server: started through `python -m opsvalue_lab.hub.singleuser`, which prepares
  the workspace ~/opsvalue (never overwriting an edited notebook) as the user, then runs
  jupyterhub-singleuser; it lands on notebook 00 in the course language, and its API token (which
  the kernels inherit) carries the trainee's custom scopes so Submit can reach the service.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SERVICE = "opsvalue"
SUBMIT = "custom:opsvalue:submit"
REVIEW = "custom:opsvalue:review"
ACCESS = f"access:services!service={SERVICE}"
INSTRUCTOR_GROUP = "opsvalue-instructors"
WORKSPACE_DIR = "opsvalue"          # under the user's home
DEFAULT_SERVICE_PORT = 10101
FIRST_NOTEBOOK = "00_review.ipynb"

CUSTOM_SCOPES = {
    SUBMIT: {"description": "Submit your own opsvalue answers and read your own instructor feedback"},
    REVIEW: {"description": "Read every trainee's opsvalue answers (report, export) and write comments"},
}


def service_prefix() -> str:
    return f"/services/{SERVICE}/"


def _names(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [s.strip() for s in items if s and s.strip()]


def _merge_roles(existing: Any, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Roles already configured (by the administrator) stay; ours replace same-named ones."""
    mine = {r["name"] for r in new}
    kept = [r for r in (existing or []) if isinstance(r, dict) and r.get("name") not in mine]
    return kept + new


def _get(section: Any, name: str, default: Any) -> Any:
    """A config value set earlier (traitlets hands out lazy placeholders for unset ones)."""
    return section[name] if name in section else default


def configure(c: Any, *, course: str, instructors: str | Iterable[str] | None, data_dir: str | Path,
              lang: str = "ja", live: bool = False, service_port: int = DEFAULT_SERVICE_PORT,
              service_python: str | None = None, user_python: str | None = None,
              service_url_for_users: str | None = None, service_ip: str = "127.0.0.1",
              service_bind_ip: str | None = None, catalogue: str | Path | None = None) -> None:
    """Set everything opsvalue needs on the JupyterHub config object *c*.

    *service_python* runs the service (default: this interpreter, the hub's); *user_python* runs
    the single-user servers (TLJH: /opt/tljh/user/bin/python); both need opsvalue-lab[hub].
    *service_url_for_users*: how a user's server reaches the service (default: its own URL).
    *service_ip* is the host in the service's URL (z2jh: "hub"); *service_bind_ip* the address it
    listens on when that differs (z2jh: "0.0.0.0").
    *catalogue* is a cohort overlay folder (see docs/FORMATS.md): the service and every trainee's
    server read the course through it (OPSVALUE_CATALOGUE); it must be readable on both.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"opsvalue configure: lang must be 'ja' or 'en', not {lang!r}")
    if not str(course).strip():
        raise ValueError("opsvalue configure: course must not be empty")
    data = Path(data_dir).expanduser().resolve()
    teachers = _names(instructors)
    service_url = f"http://{service_ip}:{int(service_port)}"
    env = {"OPSVALUE_DATA_DIR": str(data), "OPSVALUE_COURSE": str(course), "OPSVALUE_LANG": lang,
           "OPSVALUE_LIVE": "1" if live else "0"}
    if service_bind_ip:
        env["OPSVALUE_BIND_IP"] = service_bind_ip
    overlay = {"OPSVALUE_CATALOGUE": str(Path(catalogue).expanduser().resolve())} if catalogue else {}
    env.update(overlay)
    services = [s for s in (_get(c.JupyterHub, 'services', None) or []) if s.get("name") != SERVICE]
    services.append({
        "name": SERVICE,
        "url": service_url,
        "command": [service_python or sys.executable, "-m", "opsvalue_lab.hub.service"],
        "environment": env,
        "oauth_client_allowed_scopes": [SUBMIT, REVIEW],
        "oauth_no_confirm": True,  # our own service: no "authorize access?" page for instructors
        "display": True,
    })
    c.JupyterHub.services = services
    scopes = dict(_get(c.JupyterHub, 'custom_scopes', None) or {})
    scopes.update(CUSTOM_SCOPES)
    c.JupyterHub.custom_scopes = scopes

    groups = dict(_get(c.JupyterHub, 'load_groups', None) or {})
    members = set(_names((groups.get(INSTRUCTOR_GROUP) or {}).get("users", [])
                         if isinstance(groups.get(INSTRUCTOR_GROUP), dict) else groups.get(INSTRUCTOR_GROUP)))
    groups[INSTRUCTOR_GROUP] = {"users": sorted(members | set(teachers))}
    c.JupyterHub.load_groups = groups
    c.JupyterHub.load_roles = _merge_roles(_get(c.JupyterHub, 'load_roles', None), [
        # every user of this hub is a trainee of the course (one hub per class)
        {"name": "user", "description": "opsvalue trainee: own server, submit, own feedback",
         "scopes": ["self", ACCESS, SUBMIT]},
        {"name": "opsvalue-instructor", "description": "opsvalue instructor: reads the class, writes comments",
         "scopes": [ACCESS, REVIEW, SUBMIT], "groups": [INSTRUCTOR_GROUP]},
        # the live view's "answered / logged in": the service counts users with a running server
        {"name": "opsvalue-service", "description": "opsvalue service: counts the trainees logged in",
         "scopes": ["list:users", "read:users:groups", "read:servers"], "services": [SERVICE]},
    ])
    if teachers:
        allowed = set(_get(c.Authenticator, 'allowed_users', None) or set())
        if allowed:  # an allow-list is in use: instructors must be on it
            c.Authenticator.allowed_users = allowed | set(teachers)

    # the server's $JUPYTERHUB_API_TOKEN (inherited by kernels) gets the user's opsvalue scopes;
    # JupyterHub grants only the subset the user holds, so a trainee's token never has REVIEW
    c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", ACCESS, SUBMIT, REVIEW]
    user_env = dict(_get(c.Spawner, 'environment', None) or {})
    user_env.update({
        "OPSVALUE_SERVICE_URL": (service_url_for_users or service_url + service_prefix()).rstrip("/") + "/",
        "OPSVALUE_COURSE": str(course), "OPSVALUE_LANG": lang, "OPSVALUE_LIVE": "1" if live else "0",
        **overlay,
    })
    c.Spawner.environment = user_env
    c.Spawner.cmd = [user_python or sys.executable, "-m", "opsvalue_lab.hub.singleuser"]
    c.Spawner.default_url = f"/lab/tree/{WORKSPACE_DIR}/{FIRST_NOTEBOOK}"
    os.makedirs(data, exist_ok=True)
