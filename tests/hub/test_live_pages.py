"""The live routes over real HTTP (the stand-in app runs the same routes the service mounts):
scopes, escaping and CSP, the event stream, polling, hide/pin with xsrf, the self-assessment charts."""
from __future__ import annotations

import http.client
import json
import re

import pytest

from .live_support import PREFIX, call, feed, put, start_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-pages")
    srv = start_app(tmp, tmp / "data")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def off(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-off")
    srv = start_app(tmp, tmp / "data", live=False, name="live-off")
    yield srv
    srv.stop()


def test_a_trainee_is_refused_every_instructor_route(app):
    put(app, "tok-t1", "work-3", "mine")
    for path in ("live/", "live/work-3", "live/work-3.json", "live/work-3/events",
                 "live/self-assessment-before/matrix.png"):
        status, doc, _ = call(app, "GET", path, "tok-t1")
        assert status == 403, (path, doc)
    status, _, _ = call(app, "POST", "live/work-3/pin", "tok-t1", {"key": 1})
    assert status == 403
    status, _, _ = call(app, "GET", "live/work-3", "no-such-token")
    assert status == 403


def test_the_answer_is_filed_under_the_token_user_and_validated(app):
    status, doc = put(app, "tok-t2", "work-4", "from t2")
    assert status == 200 and doc["stored"]
    status, doc, _ = call(app, "PUT", "api/live/work-4", "tok-t2", {"value": "x", "saved_at": "yesterday"})
    assert status == 400 and "saved_at" in doc["error"]
    status, doc, _ = call(app, "PUT", "api/live/no-such-work", "tok-t2",
                          {"value": "x", "saved_at": "2026-11-30T03:00:00Z"})
    assert status == 400 and "no-such-work" in doc["error"]
    status, doc, _ = call(app, "PUT", "api/live/work-4", "tok-t2", b"{not json")
    assert status == 400
    names = [c.get("name") for c in feed(app, "work-4", names=True)["cards"]]
    assert names == ["trainee2"]


def test_hostile_text_is_escaped_and_every_response_has_a_csp(app):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script></textarea>&amp;'
    put(app, "tok-t3", "work-5", hostile)
    status, page, headers = call(app, "GET", "live/work-5", "tok-teacher")
    assert status == 200
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page or "&lt;img src=x onerror=&quot;" in page
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    # no inline script except the JSON data block, no external resource
    scripts = re.findall(r"<script([^>]*)>", page)
    assert all('type="application/json"' in s or "src=\"/services/opsvalue/live/static/live.js\"" in s for s in scripts)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    for path in ("live/work-5.json", "live/", "live/static/live.js"):
        _, _, h = call(app, "GET", path, "tok-teacher")
        assert "default-src 'none'" in h["Content-Security-Policy"], path


def test_the_stream_sends_a_new_answer_and_resumes_after_its_last_id(app):
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
    conn.request("GET", f"{PREFIX}live/work-2/events", headers={"Authorization": "token tok-teacher"})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/event-stream")

    def next_event() -> dict:
        data, event = None, None
        while True:
            line = resp.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                return {"event": event, **data}
    first = next_event()
    assert first["event"] == "snapshot"
    put(app, "tok-t4", "work-2", "streamed answer")
    ev = next_event()
    while not ev.get("cards"):
        ev = next_event()
    assert [c["lines"][0]["text"] for c in ev["cards"]] == ["streamed answer"]
    assert "name" not in ev["cards"][0]
    conn.close()
    # a poll from the stream's last number gets nothing old, then only the newer answer
    assert feed(app, "work-2", since=ev["seq"])["cards"] == []
    put(app, "tok-t5", "work-2", "later")
    assert [c["lines"][0]["text"] for c in feed(app, "work-2", since=ev["seq"])["cards"]] == ["later"]


def test_hide_and_pin_need_the_xsrf_token_and_are_kept(app):
    put(app, "tok-t6", "work-1", "to hide")
    put(app, "tok-t7", "work-1", "to pin")
    status, page, headers = call(app, "GET", "live/work-1", "tok-teacher")
    cookie = headers["Set-Cookie"].split(";")[0]
    token = json.loads(re.search(r'id="live-data">(.*?)</script>', page, re.S).group(1))["xsrf"]
    cards = {c["lines"][0]["text"]: c["key"] for c in feed(app, "work-1")["cards"]}
    status, _, _ = call(app, "POST", "live/work-1/hide", "tok-teacher", {"key": cards["to hide"]})
    assert status == 403  # no xsrf token
    hdrs = {"Cookie": cookie, "X-XSRFToken": token, "Content-Type": "application/json"}
    assert call(app, "POST", "live/work-1/hide", "tok-teacher", {"key": cards["to hide"]}, hdrs)[0] == 200
    assert call(app, "POST", "live/work-1/pin", "tok-teacher", {"key": cards["to pin"]}, hdrs)[0] == 200
    assert call(app, "POST", "live/work-1/pin", "tok-teacher", {"key": 99999}, hdrs)[0] == 404
    snap = feed(app, "work-1")
    by = {c["lines"][0]["text"]: c for c in snap["cards"]}
    assert by["to hide"]["hidden"] and snap["pinned"] == cards["to pin"] and by["to pin"]["pinned"]
    assert snap["answered"] >= 2  # a hidden answer is still an answer


def test_self_assessment_charts_are_drawn_from_live_answers(app):
    task = {"name": "月次パッチ適用", "kind": "fulfilment", "level": "formal", "proactivity": 0.6,
            "lead_time": 3, "lead_time_unit": "days", "repeatability": "structured"}
    assert put(app, "tok-t8", "self-assessment-before", [task])[0] == 200
    status, png, headers = call(app, "GET", "live/self-assessment-before/matrix.png?lang=en", "tok-teacher")
    assert status == 200 and headers["Content-Type"] == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    status, page, _ = call(app, "GET", "live/self-assessment-before?lang=en", "tok-teacher")
    assert 'id="chart-matrix"' in page and 'id="chart-delivery"' in page
    status, _, _ = call(app, "GET", "live/work-1/matrix.png", "tok-teacher")
    assert status == 404


def test_index_lists_the_exercises_grouped_by_timing_in_both_languages(app):
    _, ja, _ = call(app, "GET", "live/", "tok-teacher")
    _, en, _ = call(app, "GET", "live/?lang=en", "tok-teacher")
    assert ja.index("講義中のワーク") < ja.index("事前課題") < ja.index("事後課題")
    assert en.index("In-class exercises") < en.index("Before the lecture") and 'lang="en"' in en
    assert "/services/opsvalue/live/work-1?lang=en" in en


def test_live_off_refuses_mirrors_and_says_so_on_the_page(off):
    status, doc = put(off, "tok-t1", "work-1", "x")
    assert status == 404 and "off" in doc["error"]
    _, page, _ = call(off, "GET", "live/work-1?lang=en", "tok-teacher")
    assert "Live sharing is off" in page
    assert feed(off, "work-1")["cards"] == []
