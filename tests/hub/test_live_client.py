"""The trainee's side: answer widgets say when answers are shared and mirror each committed save;
the local store stays the master (a stopped service never blocks or loses a save; it catches up)."""
from __future__ import annotations

import os
import signal

import ipywidgets as w
import pytest

from opsvalue_lab.hub import live_client
from opsvalue_lab.store import Workbook
from opsvalue_lab.widgets.answer import AnswerView
from opsvalue_lab.widgets.choice import ChoiceView
from opsvalue_lab.widgets.selfassess import SelfAssessmentView

from .live_support import PREFIX, feed, start_app, wait_for

SHARED = ("共有", "shared live")


def _all_text(widget) -> str:
    out, stack = [], [widget]
    while stack:
        x = stack.pop()
        if isinstance(x, (w.HTML, w.Label, w.Textarea)) and x.layout.display != "none":
            out.append(x.value)
        stack.extend(getattr(x, "children", ()))
    return "\n".join(out)


@pytest.fixture
def hub_env(monkeypatch):
    def set_env(srv, *, live: bool, user: str = "trainee1") -> None:
        monkeypatch.setenv("OPSVALUE_SERVICE_URL", f"{srv.base}{PREFIX}")
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", f"tok-t{user.removeprefix('trainee')}")
        monkeypatch.setenv("JUPYTERHUB_USER", user)
        monkeypatch.setenv("OPSVALUE_LIVE", "1" if live else "0")
    monkeypatch.setattr(live_client, "_mirrors", {})
    return set_env


@pytest.fixture
def service(tmp_path):
    srv = start_app(tmp_path, tmp_path / "data")
    yield srv
    srv.stop(check=False)


def texts(srv, exercise_id: str) -> list[str]:
    return [c["lines"][0]["text"] for c in feed(srv, exercise_id)["cards"] if c["lines"]]


def test_live_on_every_answer_widget_says_so_and_saves_are_mirrored(tmp_path, service, hub_env):
    hub_env(service, live=True)
    with Workbook.open(tmp_path / "ws") as wb:
        views = [AnswerView(wb, "work-1", "ja"), AnswerView(wb, "review-1", "en"),
                 ChoiceView(wb, "change-before", "en"), SelfAssessmentView(wb, "self-assessment-before", "ja")]
        assert "この講義では、回答が講師の画面にリアルタイムで共有されます" in _all_text(views[0].widget)
        assert "your answers are shared live on the instructor's screen" in _all_text(views[1].widget)
        assert "shared live" in _all_text(views[2].widget) and "共有" in _all_text(views[3].widget)
        views[0].boxes[None].value = "ライブで見える回答"
        assert views[0].flush()
        views[1].boxes["purpose"].value = "purpose text"
        assert views[1].flush()
        wait_for(lambda: texts(service, "work-1") == ["ライブで見える回答"], 10, "work-1 mirrored")
        card = wait_for(lambda: feed(service, "review-1")["cards"], 10, "review-1 mirrored")[0]
        assert card["lines"][0]["text"] == "purpose text"
        views[0].boxes[None].value = "書き直した回答"
        views[0].flush()
        wait_for(lambda: texts(service, "work-1") == ["書き直した回答"], 10, "the update mirrored")


def test_live_off_says_nothing_about_sharing_and_mirrors_nothing(tmp_path, service, hub_env):
    hub_env(service, live=False)  # the service would accept it: the flag alone must stop it
    with Workbook.open(tmp_path / "ws") as wb:
        view = AnswerView(wb, "work-1", "ja")
        text = _all_text(view.widget)
        assert not any(s in text for s in SHARED)
        view.boxes[None].value = "local only"
        assert view.flush() and wb.latest("work-1") == "local only"
        assert live_client.mirror_for(wb) is None and live_client._mirrors == {}
    assert feed(service, "work-1")["cards"] == []


def test_not_on_a_hub_nothing_is_said_or_sent(tmp_path, monkeypatch):
    for var in ("OPSVALUE_SERVICE_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_USER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPSVALUE_LIVE", "1")
    with Workbook.open(tmp_path / "ws") as wb:
        view = AnswerView(wb, "work-1", "en")
        assert "shared live" not in _all_text(view.widget)
        assert live_client.mirror_for(wb) is None


def test_service_killed_while_typing_local_saves_succeed_then_the_view_catches_up(tmp_path, service, hub_env):
    hub_env(service, live=True, user="trainee2")
    port = service.port
    with Workbook.open(tmp_path / "ws") as wb:
        view = AnswerView(wb, "work-1", "ja")
        view.boxes[None].value = "before the crash"
        assert view.flush()
        wait_for(lambda: texts(service, "work-1") == ["before the crash"], 10, "first mirror")
        os.killpg(service.proc.pid, signal.SIGKILL)  # the service dies without warning
        service.proc.wait(10)
        for i in range(5):
            view.boxes[None].value = f"typed while down {i}"
            assert view.flush(), view.status.text  # never blocked, never an error for the trainee
        assert wb.latest("work-1") == "typed while down 4"
        assert "⚠" not in view.status.text
        mirror = live_client.mirror_for(wb)
        assert mirror.pending.get("work-1", (None,))[0] == "typed while down 4"
        service.stop(check=False)
        back = start_app(tmp_path, tmp_path / "data", port=port, name="live-app-back")
        try:
            wait_for(lambda: texts(back, "work-1") == ["typed while down 4"], 30, "the catch-up after restart")
            assert mirror.idle(10)
        finally:
            back.stop(check=False)


def test_a_new_kernel_sends_answers_a_stopped_one_could_not(tmp_path, service, hub_env):
    hub_env(service, live=True, user="trainee3")
    with Workbook.open(tmp_path / "ws") as wb:
        wb.save("work-2", "saved by a kernel that died before mirroring")
        wb.save("work-3", "another one")
        mirror = live_client.mirror_for(wb)  # what the next kernel's first widget does
        assert mirror.idle(15)
        assert texts(service, "work-2") == ["saved by a kernel that died before mirroring"]
        assert texts(service, "work-3") == ["another one"]
        assert set(mirror._load()) >= {"work-2", "work-3"}  # remembered across kernels
