"""SelfAssessmentView headless on the real store: numbers = DEFAULT_MODEL.evaluate, save/restore, errors."""
from __future__ import annotations

import re
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsvalue_lab.model import DEFAULT_MODEL, PROACTIVITY_LABELS, Task
from opsvalue_lab.store import Workbook
from opsvalue_lab.widgets.selfassess import AFTER_ID, BEFORE_ID, SelfAssessmentView

LEVELS = ["unsolved", "formal", "substantial", "root"]
REPS = ["verbalised", "structured", "depersonalised", "objective"]


@pytest.fixture
def wb(tmp_path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


def _fill(view: SelfAssessmentView, row, **values) -> None:
    """Set several inputs as one edit (as a person would before leaving the row), then fire it."""
    view._loading = True
    try:
        for k, v in values.items():
            getattr(row, k).value = v
    finally:
        view._loading = False
    view.changed(row)


rows = st.fixed_dictionaries({
    "name": st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=30),
    "kind": st.sampled_from(["fulfilment", "incident", "transition", "other"]),
    "level": st.sampled_from(LEVELS),
    "proactivity": st.integers(0, 20).map(lambda i: i / 10),
    "lead": st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 3)),
    "unit": st.sampled_from(["minutes", "hours", "days"]),
    "rep": st.sampled_from(REPS),
})


def shown_numbers(view: SelfAssessmentView) -> list[dict[str, float]]:
    """The numbers displayed beside each row, read back from the HTML the trainee sees."""
    out = []
    for r in view.rows:
        found = dict(re.findall(r"data-key='(\w+)'>([^<]+)<", r.numbers.value))
        out.append({k: float(v.replace(",", "")) for k, v in found.items()})
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=rows)
def test_shown_numbers_equal_model(row):
    with tempfile.TemporaryDirectory() as d:
        book = Workbook.open(d)
        try:
            view = SelfAssessmentView(book, BEFORE_ID, "ja")
            r = view.add_row()
            _fill(view, r, **row)
            task = Task(row["name"].strip(), row["kind"], row["level"], row["proactivity"], row["lead"],
                        row["unit"], row["rep"])
            ev = DEFAULT_MODEL.evaluate(task)
            shown = shown_numbers(view)[0]
            for key in ("service_value", "delivery_value"):
                assert shown[key] == pytest.approx(ev[key], rel=0.006, abs=0.006), (key, r.numbers.value)
            assert PROACTIVITY_LABELS[ev["proactivity_class"]]["ja"] in r.word.value
            assert book.latest(BEFORE_ID) == [task.to_dict()]
        finally:
            book.close()


def test_round_trip_on_reopened_workbook(tmp_path):
    book = Workbook.open(tmp_path)
    view = SelfAssessmentView(book, BEFORE_ID, "en")
    a = view.add_row()
    _fill(view, a, name="Nightly batch rerun", kind="incident", level="formal", proactivity=0.3, lead=2.0)
    b = view.add_row()
    _fill(view, b, name="Capacity upgrade", kind="other", level="root", proactivity=1.6, lead=3.0,
          unit="days", rep="depersonalised", has_avail=True)
    b.avail["desk"].value = 97.5
    saved = book.latest(BEFORE_ID)
    assert [t["name"] for t in saved] == ["Nightly batch rerun", "Capacity upgrade"]
    assert saved[1]["availability"] == {"system": 100.0, "desk": 97.5, "execution": 100.0}
    book.close()
    again = Workbook.open(tmp_path)
    try:
        view2 = SelfAssessmentView(again, BEFORE_ID, "en")
        assert [r.data() for r in view2.rows] == [Task.from_dict(d).to_dict() for d in saved]
        assert "#2" in view2.rows[1].index.value  # rows are numbered, usable without colour
        assert "Saved" in view2.status.text
        assert len(view2.image.value) > 1000  # live matrix rendered
    finally:
        again.close()


def test_invalid_row_keeps_input_and_store(wb):
    view = SelfAssessmentView(wb, BEFORE_ID, "ja")
    r = view.add_row()
    assert "業務名を入力" in view.status.text and wb.latest(BEFORE_ID) is None  # a hint, not a crash
    _fill(view, r, name="依頼対応", lead=4.0)
    good = wb.latest(BEFORE_ID)
    r.lead.value = -1.0
    assert "⚠" in view.status.text and "1 行目" in view.status.text
    assert r.lead.value == -1.0 and wb.latest(BEFORE_ID) == good
    assert "—" in r.numbers.value


def test_store_failure_is_friendly_and_rows_kept(tmp_path):
    book = Workbook.open(tmp_path)
    view = SelfAssessmentView(book, BEFORE_ID, "en")
    r = view.add_row()
    _fill(view, r, name="Account requests")
    book.close()
    r.name.value = "Account requests v2"
    assert "⚠" in view.status.text and "Traceback" not in view.status.text
    assert view.rows[0].name.value == "Account requests v2"
    view.save_btn.click()  # still no exception escapes
    assert "⚠" in view.status.text


def test_proactivity_words_and_kind_labels(wb):
    view = SelfAssessmentView(wb, BEFORE_ID, "en")
    r = view.add_row({"name": "x", "kind": "transition", "level": "formal", "proactivity": 1.0, "lead_time": 1})
    assert "Boundary" in r.word.value
    r.proactivity.value = 0.4
    assert "Reactive" in r.word.value
    r.proactivity.value = 1.7
    assert "Proactive" in r.word.value
    assert "boundary" in r.proactivity.description
    ja = SelfAssessmentView(wb, BEFORE_ID, "ja").rows[0]
    assert {o[0] for o in ja.kind.options} == {"フルフィルメント（依頼）", "障害対応", "運用移管", "その他"}


def test_add_and_remove_rows(wb):
    view = SelfAssessmentView(wb, BEFORE_ID, "ja")
    for name in ("a", "b", "c"):
        view.add_row({"name": name, "kind": "other", "level": "formal", "proactivity": 0.5, "lead_time": 1})
    assert [t["name"] for t in wb.latest(BEFORE_ID)] == ["a", "b", "c"]
    view.rows[1].remove.click()
    assert [t["name"] for t in wb.latest(BEFORE_ID)] == ["a", "c"]
    assert "#2" in view.rows[1].index.value


def test_after_offers_copy_of_before(wb):
    after = SelfAssessmentView(wb, AFTER_ID, "ja")
    assert after.copy_box.layout.display != "none"
    after.copy_btn.click()
    assert "Before" in after.status.text and wb.latest(AFTER_ID) is None
    before = [Task("障害対応", "incident", "formal", 0.3, 2).to_dict()]
    wb.save(BEFORE_ID, before)
    after.copy_btn.click()
    assert wb.latest(AFTER_ID) == before and [r.data()["name"] for r in after.rows] == ["障害対応"]
    assert after.copy_box.layout.display == "none"
    assert SelfAssessmentView(wb, BEFORE_ID, "ja").copy_box.layout.display == "none"


def test_empty_self_assessment_draws_no_second_matrix(tmp_path):
    from opsvalue_lab.store import Workbook
    from opsvalue_lab.widgets.selfassess import SelfAssessmentView
    with Workbook.open(tmp_path) as wb:
        view = SelfAssessmentView(wb, "self-assessment-before", "ja")
        assert view.image.value == "" and view.image.layout.display == "none"
        wb.save("self-assessment-before", [{"name": "障害一次対応", "kind": "incident", "level": "formal",
                                             "proactivity": 0.3, "lead_time": 2}])
        again = SelfAssessmentView(wb, "self-assessment-before", "ja")
        assert len(again.image.value) > 1000 and again.image.layout.display is None
