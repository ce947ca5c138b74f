"""`opsvalue-lab hub-demo`: a real JupyterHub class on 127.0.0.1 (the tests start it the same way).

`HubProcess` runs `python -m jupyterhub -f opsvalue_lab/hub/demo_config.py` in its own process
group; that file calls `apply_demo(c)`, which calls `config.configure` (the same function as the
TLJH drop-in) and adds only what a laptop demo needs: the shared-password DummyAuthenticator,
SimpleLocalProcessSpawner with homes under <data>/homes, 127.0.0.1 ports, the hub database and
cookie secret under <data>. Everything persists under --data; Ctrl-C stops all it started.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import OpsValueError
from ..launch import free_port

HERE = Path(__file__).resolve().parent
ENV_KEY = "OPSVALUE_HUB_DEMO"     # JSON settings handed to demo_config.py
DEFAULT_PASSWORD = "opsvalue-demo"
PROXY = "configurable-http-proxy"


def check_requirements() -> None:
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        raise OpsValueError("JupyterHub is not installed: pip install 'opsvalue-lab[hub]'") from None
    if not shutil.which(PROXY):
        raise OpsValueError(f"{PROXY} is not on PATH: npm install -g configurable-http-proxy@5")


def apply_demo(c: Any, settings: dict[str, Any] | None = None) -> None:
    """The demo's hub configuration: configure() plus laptop-only settings."""
    from .config import configure
    s = settings if settings is not None else json.loads(os.environ[ENV_KEY])
    data = Path(s["data"]).resolve()
    configure(c, course=s["course"], instructors=s["instructors"], data_dir=data / "service",
              lang=s["lang"], live=bool(s.get("live")), service_port=int(s["service_port"]))
    if s.get("admin_token"):  # tests and benchmarks: a token that may create users and their tokens
        c.JupyterHub.services = [*c.JupyterHub.services, {"name": "opsvalue-admin", "api_token": s["admin_token"]}]
        c.JupyterHub.load_roles = [*c.JupyterHub.load_roles, {
            "name": "opsvalue-admin", "services": ["opsvalue-admin"],
            "scopes": ["admin:users", "tokens", "admin:servers", "list:users", "read:users"]}]
    c.JupyterHub.ip = "127.0.0.1"
    c.JupyterHub.port = int(s["port"])
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = int(s["hub_port"])
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(s['proxy_api_port'])}"
    c.ConfigurableHTTPProxy.pid_file = str(data / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{data / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(data / "jupyterhub_cookie_secret")
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s["password"]
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(data / "homes" / "{username}")
    c.Spawner.args = (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []) + \
        list(s.get("user_args", []))
    if s.get("user_env"):
        c.Spawner.environment = {**c.Spawner.environment, **s["user_env"]}
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 90
    c.JupyterHub.log_level = s.get("log_level", "WARN")
    c.ConfigurableHTTPProxy.log_level = "warn"


class HubProcess:
    """One demo hub: start(), wait_ready(), stop() (always safe to call)."""

    def __init__(self, data: str | Path, *, port: int = 0, course: str = "demo", instructors: str = "instructor",
                 password: str = DEFAULT_PASSWORD, lang: str = "ja", live: bool = False,
                 log: Path | None = None, log_level: str = "WARN", admin_token: str = "",
                 user_args: list[str] | None = None, user_env: dict[str, str] | None = None) -> None:
        self.data = Path(data).expanduser().resolve()
        self.port = port or free_port()
        self.settings = {"data": str(self.data), "port": self.port, "course": course, "instructors": instructors,
                         "password": password, "lang": lang, "live": live, "hub_port": free_port(),
                         "proxy_api_port": free_port(), "service_port": free_port(), "log_level": log_level,
                         "admin_token": admin_token, "user_args": user_args or [], "user_env": user_env or {}}
        self.log_path = log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        check_requirements()
        self.data.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, **{ENV_KEY: json.dumps(self.settings)})
        env.pop("JUPYTERHUB_API_TOKEN", None)
        out = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(HERE / "demo_config.py")],
                                     cwd=str(self.data), env=env, start_new_session=True,
                                     stdout=out, stderr=subprocess.STDOUT if out else None)
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise OpsValueError(f"JupyterHub exited with code {self.proc.returncode}"
                                    + (f"; see {self.log_path}" if self.log_path else ""))
            try:
                with urllib.request.urlopen(f"{self.url}/services/opsvalue/api/config", timeout=2) as r:
                    r.read()
            except urllib.error.HTTPError as e:
                if e.code == 403:  # the proxy, the hub and the service all answer
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise OpsValueError(f"JupyterHub did not come up at {self.url} within {timeout:.0f} s")

    def api(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        """Call the hub's REST API (/hub/api/...) with *token* (default: the admin token)."""
        req = urllib.request.Request(f"{self.url}/hub/api/{path.lstrip('/')}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token or self.settings['admin_token']}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
        return json.loads(data) if data else None

    def user_token(self, name: str, scopes: list[str] | None = None) -> str:
        """Create hub user *name* if needed and return a new API token for it (default: a trainee.s
        opsvalue scopes; an instructor's token needs REVIEW added)."""
        from .config import ACCESS, SUBMIT
        try:
            self.api("POST", f"users/{name}")
        except urllib.error.HTTPError as e:
            if e.code != 409:  # 409: exists already
                raise
        doc = self.api("POST", f"users/{name}/tokens", {"scopes": scopes or [ACCESS, SUBMIT],
                                                         "note": "opsvalue test"})
        return str(doc["token"])

    def stop(self, timeout: float = 30) -> None:
        p = self.proc
        if p is None:
            return
        children = _descendants(p.pid)  # proxy, service and user servers run in their own sessions
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)   # the hub stops its servers, proxy and service itself
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(p.pid, signal.SIGKILL)    # anything left in the group
        except (ProcessLookupError, PermissionError):
            pass
        for child in children:                  # and anything the hub could not stop
            try:
                child.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None


def _descendants(pid: int) -> list[Any]:
    try:
        import psutil
        return list(psutil.Process(pid).children(recursive=True))
    except Exception:  # noqa: BLE001 - psutil missing or the process gone: nothing to add
        return []


def cli_hub_demo(args: Any) -> int:
    from ..launch import _install_sigterm
    _install_sigterm()
    hub = HubProcess(args.data, port=args.port, course=args.course, instructors=args.instructors,
                     password=args.password, lang=args.lang, live=bool(getattr(args, "live", False)))
    try:
        hub.start()
        hub.wait_ready()
        live = (f"  live class view (projector): {hub.url}/services/opsvalue/live/\n"
                if hub.settings["live"] else "")
        print(f"\nopsvalue class {args.course!r} on JupyterHub: {hub.url}/hub/login\n"
              f"  trainee:    any user name (e.g. trainee1), password {args.password!r}\n"
              f"  instructor: {args.instructors} (password {args.password!r}); class report at "
              f"{hub.url}/services/opsvalue/report\n{live}"
              f"  data (kept across restarts): {hub.data}\n  Ctrl-C stops everything.\n", flush=True)
        assert hub.proc is not None
        return int(hub.proc.wait() or 0)
    except KeyboardInterrupt:
        return 0
    finally:
        hub.stop()
