"""The deployment files call the same configure() as hub-demo and give the same roles and scopes."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml  # PyYAML: a dependency of jupyter-events (JupyterLab), always installed
from traitlets.config import Config

from opsvalue_lab.hub.config import ACCESS, REVIEW, SUBMIT, configure

REPO = Path(__file__).resolve().parents[1]


def _roles(c: Config) -> dict[str, dict]:
    return {r["name"]: r for r in c.JupyterHub.load_roles}


def _check(c: Config) -> None:
    (svc,) = [s for s in c.JupyterHub.services if s["name"] == "opsvalue"]
    assert svc["command"][1:] == ["-m", "opsvalue_lab.hub.service"]
    assert set(c.JupyterHub.custom_scopes) == {SUBMIT, REVIEW}
    roles = _roles(c)
    assert set(roles["user"]["scopes"]) == {"self", ACCESS, SUBMIT}
    assert REVIEW in roles["opsvalue-instructor"]["scopes"]
    assert roles["opsvalue-instructor"]["groups"] == ["opsvalue-instructors"]
    assert "instructor1" in c.JupyterHub.load_groups["opsvalue-instructors"]["users"]
    assert {SUBMIT, REVIEW, ACCESS} <= set(c.Spawner.server_token_scopes)
    assert c.Spawner.cmd[1:] == ["-m", "opsvalue_lab.hub.singleuser"]
    assert c.Spawner.default_url == "/lab/tree/opsvalue/00_review.ipynb"
    assert c.Spawner.environment["OPSVALUE_SERVICE_URL"].endswith("/services/opsvalue/")


def test_tljh_drop_in(monkeypatch, tmp_path):
    c = Config()
    text = (REPO / "deploy" / "tljh" / "opsvalue.py").read_text(encoding="utf-8")
    text = text.replace("/opt/tljh/state/opsvalue", str(tmp_path / "state"))  # not writable here
    exec(compile(text, "opsvalue.py", "exec"), {"c": c})  # noqa: S102 - our own deployment file
    _check(c)
    assert c.Spawner.cmd[0] == "/opt/tljh/user/bin/python3"
    (svc,) = c.JupyterHub.services
    assert svc["command"][0] == "/opt/tljh/hub/bin/python3"


def test_z2jh_values(tmp_path):
    values = yaml.safe_load((REPO / "deploy" / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    code = values["hub"]["extraConfig"]["opsvalue"].replace("/srv/jupyterhub/opsvalue", str(tmp_path / "srv"))
    c = Config()
    exec(compile(code, "extraConfig", "exec"), {"c": c})  # noqa: S102 - our own deployment file
    _check(c)
    (svc,) = c.JupyterHub.services
    assert svc["url"] == "http://hub:10101" and svc["environment"]["OPSVALUE_BIND_IP"] == "0.0.0.0"
    assert values["hub"]["service"]["extraPorts"][0]["port"] == 10101


def test_demo_uses_the_same_configure(tmp_path):
    from opsvalue_lab.hub.demo import apply_demo
    c = Config()
    apply_demo(c, {"data": str(tmp_path), "port": 1, "course": "c", "instructors": "instructor1", "password": "p",
                   "lang": "ja", "hub_port": 2, "proxy_api_port": 3, "service_port": 4})
    _check(c)
    assert c.JupyterHub.ip == "127.0.0.1" and c.JupyterHub.authenticator_class == "dummy"


def test_configure_keeps_the_administrators_settings(tmp_path):
    c = Config()
    c.JupyterHub.load_roles = [{"name": "ta", "scopes": ["list:users"], "users": ["x"]}]
    c.JupyterHub.services = [{"name": "other", "url": "http://127.0.0.1:1"}]
    configure(c, course="c", instructors="a, b", data_dir=tmp_path)
    assert "ta" in _roles(c) and {s["name"] for s in c.JupyterHub.services} == {"other", "opsvalue"}
    assert c.JupyterHub.load_groups["opsvalue-instructors"]["users"] == ["a", "b"]
    with pytest.raises(ValueError, match="lang"):
        configure(c, course="c", instructors="a", data_dir=tmp_path, lang="fr")


def test_a_cohort_overlay_reaches_the_service_and_every_trainee_server(tmp_path):
    c = Config()
    configure(c, course="c", instructors="a", data_dir=tmp_path / "data", catalogue=tmp_path / "overlay")
    (svc,) = [s for s in c.JupyterHub.services if s["name"] == "opsvalue"]
    want = str((tmp_path / "overlay").resolve())
    assert svc["environment"]["OPSVALUE_CATALOGUE"] == want
    assert c.Spawner.environment["OPSVALUE_CATALOGUE"] == want
    plain = Config()
    configure(plain, course="c", instructors="a", data_dir=tmp_path / "data")
    assert "OPSVALUE_CATALOGUE" not in plain.Spawner.environment
