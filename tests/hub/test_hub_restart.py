"""Stopping and restarting the hub (same --data) keeps everything: the course store, the hub's
users, the trainee's workspace and answers; an edited notebook is never overwritten at login."""
from __future__ import annotations

import json

from browser.helpers import TEXTAREA, reveal

from opsvalue_lab.hub.client import HubClient
from opsvalue_lab.hub.config import ACCESS, REVIEW, SUBMIT

from .conftest import start_hub
from .helpers import answer_first_box, login, new_page, run_all, shot, wait_workbook

TEXT = "再起動しても消えない回答"


def test_restart_keeps_everything(tmp_path, browser, request):
    hub = start_hub(tmp_path)
    try:
        page = new_page(browser)
        try:
            login(page, hub, "alice")
            wait_workbook(page)
            run_all(page)
            answer_first_box(page, TEXT)
        finally:
            page.context.close()
        alice = HubClient(f"{hub.url}/services/opsvalue/", hub.user_token("alice"), "alice")
        ws = hub.data / "homes" / "alice" / "opsvalue"
        from opsvalue_lab.store import Workbook
        wb = Workbook.open(ws)
        try:
            receipt = alice.submit(wb.export(tmp_path / "a.opsvalue.json").read_bytes())
        finally:
            wb.close()
        nb = ws / "00_review.ipynb"
        doc = json.loads(nb.read_text(encoding="utf-8"))
        doc["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "my own note"})
        nb.write_text(json.dumps(doc), encoding="utf-8")  # the trainee edited notebook 00
        edited = nb.read_bytes()
    finally:
        hub.stop()

    hub = start_hub(tmp_path)  # same data directory, new ports
    try:
        page = new_page(browser)
        try:
            login(page, hub, "alice")
            wait_workbook(page)  # the server is prepared again at login: the edit must survive
            assert nb.read_bytes() == edited
            run_all(page)
            box = reveal(page.locator(TEXTAREA).first)
            assert box.input_value() == TEXT
            shot(page, request, "alice-after-restart")
        finally:
            page.context.close()
        teach = HubClient(f"{hub.url}/services/opsvalue/", hub.user_token("teach", [ACCESS, SUBMIT, REVIEW]),
                          "teach")
        subs = teach.json("GET", "api/submissions")["submissions"]
        assert [s["sha256"] for s in subs if s["trainee"] == "alice"] == [receipt["sha256"]]
        status, body = teach.request("GET", "report")
        assert status == 200 and TEXT in body.decode("utf-8")
        users = {u["name"] for u in hub.api("GET", "users")}
        assert {"alice", "teach"} <= users
    finally:
        hub.stop()
