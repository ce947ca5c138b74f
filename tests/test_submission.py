"""Submission files: export, exact round trip of any text, and hostile files rejected by name."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from opsvalue_lab.cli import main as cli_main
from opsvalue_lab.jsonfile import MAX_BYTES, MAX_DEPTH, signed
from opsvalue_lab.store import Workbook
from opsvalue_lab.store_values import MAX_ANSWER_CHARS
from opsvalue_lab.submission import SubmissionError, default_name, parse_submission, read_submission, write_submission

TASK = {"name": "定型作業", "kind": "fulfilment", "level": "substantial", "proactivity": 1.4,
        "lead_time": 2, "lead_time_unit": "days", "repeatability": "structured"}


@pytest.fixture
def wb(tmp_path: Path):
    w = Workbook.open(tmp_path / "ws")
    w.set_profile(name="山田 花子", trainee_id="T-001", cohort="2026秋", lang="ja")
    w.save("pre-1", "first")
    w.save("pre-1", "運用は、事業の課題を解決し続けるサービス。")
    w.save("review-1", {"purpose": "事業継続", "resources": "人と道具", "action": "届け続ける"})
    w.save("change-before", "never_as_org")
    w.save("self-assessment-before", [TASK])
    w.record_quiz("q-level-01", 0)
    yield w
    w.close()


def test_export_and_read_round_trip(wb: Workbook, tmp_path: Path) -> None:
    out = wb.export(tmp_path / "s.opsvalue.json")
    sub = read_submission(out)
    assert sub.path == out and sub.schema_version == 1
    assert sub.catalogue_version == wb.catalogue.version
    assert sub.profile == wb.profile and sub.trainee_id == "T-001"
    assert sub.answers == wb.answers()
    assert set(sub.saved_at) == set(sub.answers)
    assert [v["value"] for v in sub.history["pre-1"]] == ["first", "運用は、事業の課題を解決し続けるサービス。"]
    assert sub.quiz == wb.quiz_results()
    assert datetime.fromisoformat(sub.created_at).tzinfo is not None
    raw = out.read_bytes()
    assert "運用".encode() in raw  # UTF-8, not \\u escapes
    assert parse_submission(raw, "member.opsvalue.json").answers == sub.answers
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_without_history_and_overwrite_rules(wb: Workbook, tmp_path: Path) -> None:
    out = tmp_path / "s.opsvalue.json"
    wb.export(out, include_history=False)
    assert "history" not in json.loads(out.read_text("utf-8"))
    assert read_submission(out).history == {}
    before = out.read_bytes()
    with pytest.raises(SubmissionError, match="already exists") as e:
        wb.export(out)
    assert e.value.file == str(out) and out.read_bytes() == before
    wb.save("pre-2.1", "new answer")
    wb.export(out, force=True)
    assert read_submission(out).answers["pre-2.1"] == "new answer"


def test_export_into_a_missing_folder_is_a_clear_error(wb: Workbook, tmp_path: Path) -> None:
    with pytest.raises(SubmissionError) as e:
        wb.export(tmp_path / "no" / "such" / "s.opsvalue.json")
    assert "could not be written" in str(e.value) and "s.opsvalue.json" in str(e.value)


def test_history_is_trimmed_to_fit_the_size_limit(tmp_path: Path) -> None:
    with Workbook.open(tmp_path / "ws") as w:
        for i in range(45):  # 45 versions × ~120 KB of history > 5 MiB
            w.save("pre-1", f"{i}" + "運用" * 20000)
        out = w.export(tmp_path / "big.opsvalue.json")
        assert out.stat().st_size <= MAX_BYTES
        sub = read_submission(out)
        assert sub.answers["pre-1"] == w.latest("pre-1")
        assert 1 <= len(sub.history["pre-1"]) < 45
        assert sub.history["pre-1"][-1]["value"] == w.latest("pre-1")


# ---- any text survives exactly, or is refused with the documented error ---------------------
SPECIAL = ["👨‍👩‍👧‍👦", "\u200f", "\u202e", "\u200b", "\r\n", "\r", "\x00", "\t", "\ufeff", "\U0010ffff",
           "<script>alert(1)</script>", "__proto__", "{\"a\":1}", "\\u0000", "運用の価値", "\ud800", "\udfff"]
piece = st.one_of(st.sampled_from(SPECIAL), st.text(st.characters(exclude_categories=()), max_size=30))
texts = st.one_of(
    st.lists(piece, max_size=12).map("".join),
    st.builds(lambda s, n: (s * n)[:n], st.sampled_from(SPECIAL[:-2]),  # long: up to, at and over the limit
              st.one_of(st.integers(1, MAX_ANSWER_CHARS + 10),
                        st.integers(MAX_ANSWER_CHARS - 2, MAX_ANSWER_CHARS + 2))),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_any_text_round_trips_exactly_or_is_refused(tmp_path: Path, text: str) -> None:
    ws = tmp_path / "hyp"
    with Workbook.open(ws) as w:
        try:
            text.encode("utf-8")
            storable = len(text) <= MAX_ANSWER_CHARS
        except UnicodeEncodeError:
            storable = False
        event("refused" if not storable else "long" if len(text) > 1000 else "short")
        if not storable:
            with pytest.raises(ValueError) as e:
                w.save("pre-1", text)
            assert "pre-1" in str(e.value) and ("surrogate" in str(e.value) or "limit" in str(e.value))
            return
        w.save("pre-1", text)
        w.save("review-1", {"purpose": text[:1000], "action": text[-1000:]})
        out = w.export(tmp_path / "hyp.opsvalue.json", include_history=False, force=True)
    sub = read_submission(out)
    assert sub.answers["pre-1"] == text
    assert sub.answers["review-1"] == {"purpose": text[:1000], "action": text[-1000:]}


# ---- hostile files ---------------------------------------------------------------------------
@pytest.fixture
def doc(wb: Workbook, tmp_path: Path) -> dict[str, Any]:
    out = wb.export(tmp_path / "base.opsvalue.json")
    return json.loads(out.read_text("utf-8"))


def _put(path: Path, doc: dict[str, Any], sign: bool = True) -> Path:
    try:
        body = signed(doc) if sign else doc
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form, so no checksum either
        body = doc
    path.write_text(json.dumps(body), "utf-8")  # \uXXXX escapes: valid JSON even for lone surrogates
    return path


def _deep(n: int) -> Any:
    v: Any = "x"
    for _ in range(n):
        v = [v]
    return v


# Ids, fields and options the current catalogue lacks are kept, not refused: tests/test_catalogue_versions.py
EDITS: dict[str, tuple[Callable[[dict[str, Any]], object], str | None]] = {
    "wrong version": (lambda d: d.update(schema_version=2), "schema_version"),
    "version as text": (lambda d: d.update(schema_version="1"), "schema_version"),
    "version as bool": (lambda d: d.update(schema_version=True), "schema_version"),
    "wrong format": (lambda d: d.update(format="something-else"), "format"),
    "missing quiz": (lambda d: d.pop("quiz"), "quiz"),
    "unknown top-level": (lambda d: d.update(extra=1), "extra"),
    "__proto__ exercise": (lambda d: d["answers"].update({"__proto__": {"value": "x",
                                                                        "saved_at": d["created_at"]}}),
                           "answers.__proto__"),
    "answers not object": (lambda d: d.update(answers=[1, 2]), "answers"),
    "text as number": (lambda d: d["answers"]["pre-1"].update(value=5), "answers.pre-1.value"),
    "text too long": (lambda d: d["answers"]["pre-1"].update(value="x" * (MAX_ANSWER_CHARS + 1)),
                      "answers.pre-1.value"),
    "fields unknown key": (lambda d: d["answers"]["review-1"]["value"].update(__proto__="x"),
                           "answers.review-1.value"),
    "bad task": (lambda d: d["answers"]["self-assessment-before"]["value"][0].update(proactivity=9),
                 "answers.self-assessment-before.value"),
    "tasks not list": (lambda d: d["answers"]["self-assessment-before"].update(value={"a": 1}),
                       "answers.self-assessment-before.value"),
    "missing saved_at": (lambda d: d["answers"]["pre-1"].pop("saved_at"), "answers.pre-1"),
    "bad saved_at": (lambda d: d["answers"]["pre-1"].update(saved_at="yesterday"), "answers.pre-1.saved_at"),
    "naive created_at": (lambda d: d.update(created_at="2026-01-01T00:00:00"), "created_at"),
    "profile wrong type": (lambda d: d["profile"].update(name=["x"]), "profile.name"),
    "profile bad lang": (lambda d: d["profile"].update(lang="xx"), "profile.lang"),
    "history wrong type": (lambda d: d["history"].update({"pre-1": "x"}), "history.pre-1"),
    "history bad value": (lambda d: d["history"]["pre-1"][0].update(value={"x": 1}), "history.pre-1[0].value"),
    "quiz correct not bool": (lambda d: d["quiz"]["q-level-01"].update(correct="yes"), "quiz.q-level-01.correct"),
    "lone surrogate": (lambda d: d["answers"]["pre-1"].update(value="ok\ud800"), "answers.pre-1.value"),
    "too deep inside": (lambda d: d["answers"]["pre-1"].update(value=_deep(MAX_DEPTH)), None),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_hostile_edits_are_refused_naming_file_and_field(doc: dict[str, Any], tmp_path: Path, case: str) -> None:
    edit, field = EDITS[case]
    edit(doc)
    path = _put(tmp_path / "evil.opsvalue.json", doc)
    with pytest.raises(SubmissionError) as e:
        read_submission(path)
    assert e.value.file == str(path) and str(path) in str(e.value)
    assert e.value.field == field
    if field:
        assert field in str(e.value)


def test_tampered_checksum(doc: dict[str, Any], tmp_path: Path) -> None:
    doc["answers"]["pre-1"]["value"] = "someone else's words"
    path = _put(tmp_path / "t.opsvalue.json", doc, sign=False)
    with pytest.raises(SubmissionError, match="checksum") as e:
        read_submission(path)
    assert e.value.field == "sha256"
    doc.pop("sha256")
    with pytest.raises(SubmissionError) as e:
        read_submission(_put(tmp_path / "t.opsvalue.json", doc, sign=False))
    assert e.value.field == "sha256"


@pytest.mark.parametrize("raw, words", [
    (b"[" * 200_000 + b"]" * 200_000, "nested deeper"),
    (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, "nested deeper"),
    (b'{"format": "opsvalue-submission", "x": "' + b"a" * MAX_BYTES + b'"}', "limit"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"not json at all", "JSON"),
    (b'{"format": "opsvalue-submission", "format": "x"}', "duplicate"),
    (b'{"a": NaN}', "JSON"),
    (b"[1, 2]", "object"),
    (b"", "JSON"),
])
def test_hostile_bytes_are_refused(tmp_path: Path, raw: bytes, words: str) -> None:
    path = tmp_path / "evil.opsvalue.json"
    path.write_bytes(raw)
    with pytest.raises(SubmissionError, match=words) as e:
        read_submission(path)
    assert e.value.file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="not found"):
        read_submission(tmp_path / "nope.opsvalue.json")


def test_script_and_proto_text_round_trip_as_inert_text(tmp_path: Path) -> None:
    nasty = '<script>alert("x")</script> {"__proto__": {"admin": true}} ${7*7} {{7*7}} \'; DROP TABLE x; --'
    with Workbook.open(tmp_path / "ws") as w:
        w.save("pre-1", nasty)
        w.save("review-1", {"purpose": "__proto__", "action": "<img src=x onerror=alert(1)>"})
        w.set_profile(name="<b>bold</b>", trainee_id="__proto__")
        sub = read_submission(w.export(tmp_path / "n.opsvalue.json"))
    assert sub.answers["pre-1"] == nasty
    assert sub.answers["review-1"]["action"] == "<img src=x onerror=alert(1)>"
    assert sub.profile["name"] == "<b>bold</b>" and sub.trainee_id == "__proto__"


# ---- the command line ------------------------------------------------------------------------
def test_cli_export(wb: Workbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.chdir(out_dir)
    ws = str(wb.workspace)
    assert cli_main(["export", "--workspace", ws]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.name == default_name("T-001") and written.parent.resolve() == out_dir.resolve()
    assert read_submission(written).history
    assert cli_main(["export", "--workspace", ws]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "Traceback" not in err
    assert cli_main(["export", "--workspace", ws, "--force", "--no-history"]) == 0
    assert read_submission(written).history == {}
    capsys.readouterr()
    assert cli_main(["export", "--workspace", str(tmp_path / "nothing-here")]) == 2
    assert "no answers found" in capsys.readouterr().err
    assert not (tmp_path / "nothing-here").exists()


def test_default_name_is_a_safe_file_name() -> None:
    day = datetime(2026, 11, 28)
    assert default_name("T-001", day) == "T-001-20261128.opsvalue.json"
    assert default_name("", day) == "trainee-20261128.opsvalue.json"
    assert default_name("../../etc/passwd", day) == "etc_passwd-20261128.opsvalue.json"
    assert default_name("山田/花子", day) == "山田_花子-20261128.opsvalue.json"


def test_write_submission_is_what_export_uses(wb: Workbook, tmp_path: Path) -> None:
    p = write_submission(wb, tmp_path / "w.opsvalue.json", include_history=False)
    assert read_submission(p).answers == wb.answers()
