"""A class on a real JupyterHub: trainees log in, land in notebook 00, answer and submit to the
`opsvalue` service; the instructor reads them in /services/opsvalue/report; identity comes from
the hub; scopes are enforced; the service being down loses nothing; a restart keeps everything."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from opsvalue_lab.hub.client import HubClient, HubRefused
from opsvalue_lab.hub.config import ACCESS, REVIEW, SUBMIT
from opsvalue_lab.instructor.course import Course

from .helpers import answer_first_box, login, new_page, open_notebook, run_all, shot, submit_button, wait_workbook

ANSWERS = {"alice": "アリスの回答: 障害を未然に防ぐ", "bob": "Bob's answer: fewer incidents <b>bold?</b>"}


def service_client(hub, user: str, review: bool = False) -> HubClient:
    scopes = [ACCESS, SUBMIT, REVIEW] if review else None
    return HubClient(f"{hub.url}/services/opsvalue/", hub.user_token(user, scopes), user)


def course_of(hub) -> Course:
    return Course(hub.data / "service" / "course")


def test_two_trainees_submit_and_the_instructor_reads_both(hub, browser, request):
    for user, text in ANSWERS.items():
        page = new_page(browser)
        try:
            login(page, hub, user)
            wait_workbook(page)  # first login: notebook 00 in Japanese, nothing installed
            run_all(page)
            prof = page.locator(".opsvalue-profile input[type='text']")
            assert prof.nth(1).input_value() == user and prof.nth(1).is_disabled(), "id = hub user, locked"
            answer_first_box(page, text)
            shot(page, request, f"{user}-00")
            open_notebook(page, hub, user, "06_summary.ipynb")
            run_all(page)
            submit_button(page).click()
            received = page.locator(".opsvalue-received")
            received.wait_for(timeout=30_000)
            assert "受け取りました" in received.inner_text()
            shot(page, request, f"{user}-submitted")
            assert list((hub.data / "homes" / user / "opsvalue" / "submissions").glob("*.opsvalue.json"))
        finally:
            page.context.close()
    with course_of(hub) as course:
        assert sorted(t.trainee_id for t in course.trainees()) == ["alice", "bob"]
        answers = course.current_answers()
        assert answers["alice"]["review-1"]["purpose"] == ANSWERS["alice"]  # typed into its first field
        assert answers["bob"]["review-1"]["purpose"] == ANSWERS["bob"]

    page = new_page(browser)
    try:
        login(page, hub, "teach", next_url="/services/opsvalue/report")
        page.wait_for_url("**/services/opsvalue/report**", timeout=60_000)
        body = page.locator("body")
        body.wait_for()
        text = body.inner_text()
        assert ANSWERS["alice"] in text and ANSWERS["bob"] in text
        assert page.locator("b", has_text="bold?").count() == 0, "trainee text must be escaped"
        shot(page, request, "instructor-report")
    finally:
        page.context.close()


def test_an_instructor_comment_on_the_hub_reaches_the_trainee(hub, browser, request, tmp_path):
    service_client(hub, "frank").submit(submission_bytes(tmp_path, "frank", "frank's first answer"))
    comment = "具体例があると<em>なお良い</em>です"
    page = new_page(browser)
    try:
        login(page, hub, "teach", next_url="/services/opsvalue/comments?trainee=frank")
        page.wait_for_url("**/services/opsvalue/comments?trainee=frank", timeout=60_000)
        page.fill("#c-pre-1", comment)
        page.locator("#pre-1 button[type=submit]").click()
        page.locator("[role=status]", has_text="pre-1").wait_for()
        assert page.locator("#c-pre-1").input_value() == comment
        shot(page, request, "instructor-comments")
    finally:
        page.context.close()
    page = new_page(browser)
    try:
        login(page, hub, "frank")
        wait_workbook(page)
        open_notebook(page, hub, "frank", "06_summary.ipynb")
        run_all(page)  # the feedback widget fetches the comments from the service
        shown = page.locator(".opsvalue-feedback-import", has_text="なお良い")
        shown.wait_for(timeout=30_000)
        # the DOM's text, not the rendered text: JupyterLab may stop rendering a cell scrolled out of
        # view (inner_text() is then "", which failed a clean-clone run once)
        assert "<em>" in (shown.first.text_content() or ""), "the comment is shown as text, never as HTML"
        assert shown.first.locator("em").count() == 0, "the comment is shown as text, never as HTML"
        shot(page, request, "trainee-feedback")
    finally:
        page.context.close()


def test_a_trainee_is_refused_the_report_and_the_class(hub, browser):
    page = new_page(browser)
    try:
        login(page, hub, "alice", next_url="/hub/home")
        page.wait_for_url("**/hub/home**")
        resp = page.goto(f"{hub.url}/services/opsvalue/report")  # through the OAuth round trip
        assert resp is not None and resp.status == 403
        assert ANSWERS["bob"] not in page.content()
    finally:
        page.context.close()
    alice = service_client(hub, "alice")
    for method, path in (("GET", "api/submissions"), ("GET", "report"), ("POST", "api/comments")):
        with pytest.raises(HubRefused) as e:
            alice.request(method, path, b"{}" if method == "POST" else None)
        assert e.value.status == 403, (method, path)
    with pytest.raises(HubRefused) as e:  # a token without the submit scope cannot submit
        HubClient(alice.base_url, hub.user_token("alice", [ACCESS]), "alice").submit(b"{}")
    assert e.value.status == 403
    req = urllib.request.Request(f"{hub.url}/services/opsvalue/api/submissions", method="GET")
    with pytest.raises(urllib.error.HTTPError) as he:  # no token at all
        urllib.request.urlopen(req, timeout=10)
    assert he.value.code == 403


def submission_bytes(tmp_path, trainee_id: str, text: str) -> bytes:
    from opsvalue_lab.store import Workbook
    wb = Workbook.open(tmp_path / f"ws-{trainee_id}-{len(text)}")
    try:
        wb.set_profile(name=trainee_id.title(), trainee_id=trainee_id, lang="ja")
        wb.save("pre-1", text)
        return wb.export(tmp_path / f"{trainee_id}-{len(text)}.opsvalue.json").read_bytes()
    finally:
        wb.close()


def test_comments_reach_only_their_trainee(hub, tmp_path):
    teach, carol, dave = service_client(hub, "teach", review=True), service_client(hub, "carol"), \
        service_client(hub, "dave")
    carol.submit(submission_bytes(tmp_path, "carol", "carol's answer"))
    dave.submit(submission_bytes(tmp_path, "dave", "dave's answer"))
    teach.json("POST", "api/comments", json.dumps({"trainee": "carol", "exercise_id": "pre-1",
                                                   "comment": "よく書けています"}).encode())
    fb = json.loads(carol.feedback())
    assert fb["trainee_id"] == "carol" and fb["comments"][0]["comment"] == "よく書けています"
    assert fb["comments"][0]["author"] == "teach"
    assert dave.feedback() is None  # dave sees no comment of carol's
    with pytest.raises(HubRefused) as e:
        teach.json("POST", "api/comments", json.dumps({"trainee": "carol", "exercise_id": "nope",
                                                       "comment": "x"}).encode())
    assert e.value.status == 400 and "exercise_id" in str(e.value)


def test_a_profile_claiming_another_id_is_filed_under_the_real_user(hub, tmp_path):
    with course_of(hub) as course:
        before = course.submissions_of("alice")
    data = submission_bytes(tmp_path, "alice", "I am alice, honest")  # but mallory sends it
    receipt = service_client(hub, "mallory").submit(data)
    assert receipt["trainee"] == "mallory" and receipt["claimed_trainee_id"] == "alice"
    with course_of(hub) as course:
        assert course.current_answers()["mallory"]["pre-1"] == "I am alice, honest"
        assert course.submissions_of("alice") == before, "alice's record is untouched"
        assert course.trainee("mallory").trainee_id == "mallory"
    teach = service_client(hub, "teach", review=True)
    filed = [s for s in teach.json("GET", "api/submissions")["submissions"] if s["trainee"] == "mallory"]
    assert json.loads(filed[0]["data"])["profile"]["trainee_id"] == "mallory"
    bad = service_client(hub, "mallory")
    with pytest.raises(HubRefused) as e:  # validated exactly as collect: the checksum first
        bad.submit(data.replace(b'"pre-1"', b'"no-such-exercise"'))
    assert e.value.status == 400 and "sha256" in str(e.value)
    from opsvalue_lab.jsonfile import dump
    doc = json.loads(data)
    doc["answers"]["pre-1"]["value"] = "x" * 60_000
    with pytest.raises(HubRefused) as e:  # re-signed but too long: the field is named
        bad.submit(dump(doc))
    assert e.value.status == 400 and "answers.pre-1" in str(e.value)


def _service_pid(hub) -> int:
    import psutil
    for p in psutil.Process(hub.proc.pid).children(recursive=True):
        if "opsvalue_lab.hub.service" in " ".join(p.cmdline()):
            return p.pid
    raise AssertionError("the opsvalue service process is not running")


def test_service_down_at_submit_time_then_it_is_delivered(hub, browser, request):
    page = new_page(browser)
    pid = _service_pid(hub)
    try:
        login(page, hub, "alice")
        wait_workbook(page)
        open_notebook(page, hub, "alice", "06_summary.ipynb")
        run_all(page)
        before = len(list((hub.data / "homes" / "alice" / "opsvalue" / "submissions").glob("*.opsvalue.json")))
        os.kill(pid, signal.SIGSTOP)  # the service stops answering
        try:
            submit_button(page).click()
            err = page.locator(".opsvalue-error", has_text="届きませんでした")
            err.wait_for(timeout=30_000)
            shot(page, request, "service-down")
        finally:
            os.kill(pid, signal.SIGCONT)
        files = list((hub.data / "homes" / "alice" / "opsvalue" / "submissions").glob("*.opsvalue.json"))
        assert len(files) == before + 1, "the submission file is kept"
        # the service answers again: the kept file is delivered by itself (background retry)
        page.locator(".opsvalue-received").wait_for(timeout=60_000)
        shot(page, request, "delivered-by-itself")
        with course_of(hub) as course:
            n = len(course.submissions_of("alice"))
        submit_button(page).click()  # and a later click delivers the current answers too
        deadline = time.monotonic() + 30
        while True:
            with course_of(hub) as course:
                if len(course.submissions_of("alice")) == n + 1:
                    break
            assert time.monotonic() < deadline, "the later click was not delivered"
            time.sleep(0.3)
        shot(page, request, "delivered")
    finally:
        page.context.close()


def test_collect_hub_pulls_every_submission_into_a_local_course(hub, tmp_path):
    import subprocess
    import sys
    service_client(hub, "erin").submit(submission_bytes(tmp_path, "erin", "erin's answer"))
    teach_token = hub.user_token("teach", [ACCESS, SUBMIT, REVIEW])
    cmd = [sys.executable, "-m", "opsvalue_lab.cli", "collect", "--hub", hub.url, "--token", teach_token,
           "--course", str(tmp_path / "offline")]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    with course_of(hub) as served, Course(tmp_path / "offline") as offline:
        assert offline.current_answers() == served.current_answers()
        assert {t.trainee_id for t in offline.trainees()} == {t.trainee_id for t in served.trainees()}
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and " 0 imported, 0 updated" in again.stdout, again.stdout
    trainee = [*cmd[:7], hub.user_token("erin"), *cmd[8:]]
    refused = subprocess.run(trainee, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "review" in refused.stderr
