"""DashboardView and the chart views, headless on the real store."""
from __future__ import annotations

import pytest

from opsvalue_lab.catalogue import catalogue
from opsvalue_lab.model import Repeatability as R
from opsvalue_lab.model import SolutionLevel as L
from opsvalue_lab.model import Task
from opsvalue_lab.store import Workbook
from opsvalue_lab.widgets.charts import DeliveryView, MatrixView
from opsvalue_lab.widgets.dashboard import DashboardView, check_answers, human_hours

BEFORE = [Task("障害対応", "incident", L.FORMAL, 0.3, 2, "hours", R.VERBALISED).to_dict(),
          Task("依頼対応", "fulfilment", L.SUBSTANTIAL, 0.8, 1, "days", R.VERBALISED).to_dict(),
          Task("容量管理", "other", L.ROOT, 1.5, 30, "minutes", R.DEPERSONALISED).to_dict()]
AFTER = [dict(BEFORE[0], level="substantial", proactivity=1.2), BEFORE[1], BEFORE[2]]


@pytest.fixture
def wb(tmp_path):
    book = Workbook.open(tmp_path)
    yield book
    book.close()


def test_check_answers_from_tasks():
    tasks = [Task.from_dict(d) for d in BEFORE]
    ja = dict(check_answers(tasks, "ja"))
    assert ja["課題解決のレベルは？"] == "根本解決 1 · 実質的解決 1 · 形式的解決 1 · 未解決 0"
    assert ja["プロアクティブの度合いは？"] == "平均 0.9 · 事後的対応 2/3 件（67%）"
    assert ja["納期は？"] == "中央値 2.0 時間（最短 30 分 · 最長 1.0 日）"
    assert ja["反復再現性のレベルは？"] == "最も多いのは L1 言語化（2/3 件）"
    en = [q for q, _ in check_answers([], "en")]
    assert en == ["What is the solution level?", "How proactive is it?", "What is the lead time?",
                  "What is the repeatability level?"]
    assert human_hours(72, "en") == "3.0 days" and human_hours(0.25, "ja") == "15 分"


def test_empty_dashboard_names_first_assignment(wb):
    d = DashboardView(wb, "ja")
    first = sorted(catalogue().assignments, key=lambda a: a.section)[0]
    assert first.title("ja") in d.next_line.value
    assert "まだ自己評価がありません" in d.checks.value
    assert f"0 / {len(catalogue().assignments)}" in d.progress.value
    assert "未回答" in d.change.value and "⚠" not in d.status.text
    assert d.matrix.value == "" and d.delivery.value == ""  # drawn when asked for
    d.charts_btn.click()
    assert len(d.matrix.value) > 1000 and len(d.delivery.value) > 1000 and "⚠" not in d.status.text
    assert d.charts_btn.layout.display == "none"


def test_dashboard_reflects_store_after_refresh(wb):
    d = DashboardView(wb, "en")
    wb.save("self-assessment-before", BEFORE)
    wb.save("change-before", "never_personally")
    quiz = catalogue().quizzes[0]
    wb.record_quiz(quiz.id, quiz.answer)
    d.refresh_btn.click()
    assert "from your Before self-assessment (3 tasks)" in d.checks.value
    assert "reactive 2 of 3" in d.checks.value
    opt = catalogue().assignment("change-before").options[0].label("en")
    assert opt in d.change.value
    assert "1 / " in d.progress.value and "correct" in d.progress.value
    wb.save("self-assessment-after", AFTER)
    d.refresh()
    assert "from your After self-assessment" in d.checks.value and "reactive 1 of 3" in d.checks.value
    assert d.matrix.value == ""  # not drawn until asked for
    d.show_charts()
    shown = d.matrix.value
    assert all(t["name"] in shown for t in BEFORE) and "⚠" not in d.status.text  # the table under the chart
    wb.save("self-assessment-after", AFTER[:1])
    d.refresh()  # once shown, a refresh redraws them with the new After tasks
    assert d.matrix.value != shown and len(d.delivery.value) > 1000


@pytest.mark.parametrize("view_cls,stem", [(MatrixView, "value-matrix"), (DeliveryView, "delivery-chart")])
def test_chart_views_show_tasks_and_export(wb, view_cls, stem):
    v = view_cls(wb, "ja")
    assert "まだ自己評価がありません" in v.note.value
    wb.save("self-assessment-before", BEFORE)
    wb.save("self-assessment-after", AFTER)
    v.refresh_btn.click()
    assert "Before: 3 件 / After: 3 件" in v.note.value
    v.export_btn.click()
    png = wb.workspace / "portfolio" / f"{stem}-ja.png"
    svg = wb.workspace / "portfolio" / f"{stem}-ja.svg"
    assert png.read_bytes().startswith(b"\x89PNG") and b"<svg" in svg.read_bytes()[:2000]
    assert str(png) in v.paths.value and "⚠" not in v.status.text


def test_chart_view_error_is_friendly(tmp_path):
    book = Workbook.open(tmp_path)
    v = MatrixView(book, "en")
    book.close()
    v.refresh_btn.click()
    assert "⚠" in v.status.text and "Traceback" not in v.status.text
