"""plots: every chart renders without ANY warning (no missing glyph), in ja and en, PNG and SVG."""
from __future__ import annotations

import gc
import logging
import random
import warnings
from typing import Any

import pytest
from matplotlib.figure import Figure

from opsvalue_lab import plots, plots_base
from opsvalue_lab.model import Repeatability, SolutionLevel, Task
from opsvalue_lab.plots_class import trainee_labels

LEVELS = ["unsolved", "formal", "substantial", "root"]
REPS = ["verbalised", "structured", "depersonalised", "objective"]


def _task(r: random.Random, i: int, **kw) -> Task:
    d: dict[str, Any] = dict(
        name=f"業務 {i} / task {i}", kind=r.choice(["fulfilment", "incident", "transition", "other"]),
        level=r.choice(LEVELS), proactivity=round(r.uniform(0, 2), 1), lead_time=r.choice([0, 5, 30, 2, 8]),
        lead_time_unit=r.choice(["minutes", "hours", "days"]), repeatability=r.choice(REPS))
    d.update(kw)
    return Task(**d)


R = random.Random(7)
ONE = [Task("夜間バッチ再実行 nightly rerun", "incident", SolutionLevel.FORMAL, 0.3, 2, "hours",
            Repeatability.VERBALISED)]
MANY = [_task(R, i) for i in range(200)]
BOUNDARY = [_task(R, i, proactivity=1.0) for i in range(6)]
CASES = {"none": ((), None), "one": (ONE, None), "200": (MANY, None), "boundary": (BOUNDARY, None),
         "before_after": (MANY[:3], [_task(R, i, name=t.name) for i, t in enumerate(MANY[:3])]),
         "after_only": ((), ONE),
         "exotic_names": ([_task(R, 0, name="Ӂ ﭙ į 한국어 🙂 emoji")], None)}


def _render_clean(make, caplog) -> tuple[bytes, bytes]:
    """Build and render (PNG + SVG) with every warning an error; also record to name any Glyph warning."""
    gc.collect()  # garbage left by other tests (event loops, sockets) must not warn inside this window
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fig = make()
        png, svg = plots.figure_bytes(fig, "png"), plots.figure_bytes(fig, "svg")
    assert not [str(w.message) for w in seen if "Glyph" in str(w.message)], "missing glyph"
    assert not seen, [str(w.message) for w in seen]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = make()
        assert isinstance(fig, Figure)
        plots.figure_bytes(fig, "png")
    assert not [r for r in caplog.records if r.name.startswith("matplotlib") and r.levelno >= logging.WARNING]
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg[:2000]
    return png, svg


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("chart", ["value_matrix", "delivery_chart"])
def test_individual_charts_render_cleanly(chart, case, lang, caplog):
    caplog.set_level(logging.INFO)
    tasks, after = CASES[case]
    _render_clean(lambda: getattr(plots, chart)(tasks, after=after, lang=lang), caplog)


def _class(n: int, with_after: bool = True) -> list[plots.TraineePoints]:
    r = random.Random(n)
    return [plots.TraineePoints(f"受講者 {i}", [_task(r, j) for j in range(4)],
                                [_task(r, j) for j in range(4)] if with_after else [])
            for i in range(n)]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("n,with_after,anon", [(0, True, False), (200, True, True), (5, True, False),
                                               (5, False, True), (12, True, True)])
@pytest.mark.parametrize("chart", ["class_matrix", "class_delivery"])
def test_class_charts_render_cleanly(chart, n, with_after, anon, lang, caplog):
    caplog.set_level(logging.INFO)
    trainees = _class(n, with_after)
    _render_clean(lambda: getattr(plots, chart)(trainees, lang=lang, anonymise=anon), caplog)


def test_anonymised_labels_replace_names():
    people = [plots.TraineePoints(f"山田 {i}") for i in range(3)]
    assert trainee_labels(people, True) == ["T01", "T02", "T03"]
    assert trainee_labels(people, False)[0] == "山田 0"
    assert trainee_labels([plots.TraineePoints("x")] * 200, True)[-1] == "T200"


def test_class_matrix_names_only_when_not_anonymised():
    people = _class(3)
    texts = lambda fig: {t.get_text() for ax in fig.axes for t in ax.texts}  # noqa: E731
    assert "受講者 0" in texts(plots.class_matrix(people)) and "T01" not in texts(plots.class_matrix(people))
    anon = texts(plots.class_matrix(people, anonymise=True))
    assert "T01" in anon and not any("受講者" in t for t in anon)


def test_jitter_spreads_identical_points():
    pts = plots_base.jitter([(1.0, 2.0)] * 4 + [(0.5, 1.0)], 0.05, 0.16)
    assert len(set(pts[:4])) == 4 and pts[4] == (0.5, 1.0)


def test_before_after_arrows_join_by_name_and_labels_name_tasks():
    before = [Task("A 作業", "other", "formal", 0.3, 1), Task("B 作業", "other", "root", 1.5, 1)]
    after = [Task("B 作業", "other", "root", 1.8, 1), Task("A 作業", "other", "substantial", 1.2, 1)]
    fig = plots.value_matrix(before, after=after, lang="ja")
    ax = fig.axes[0]
    arrows = [t for t in ax.texts if getattr(t, "arrow_patch", None) is not None and not t.get_text()]
    assert len(arrows) == 2
    labels = {t.get_text() for t in ax.texts}
    assert {"1 A 作業", "2 B 作業", "境界 1.0"} <= labels
    assert any("事後的対応" in t.get_text() for t in ax.texts)


def test_delivery_chart_states_smaller_is_more_value_and_smoother():
    for lang, better, smoother in (("ja", "値が小さいほどデリバリ価値が高い", "低いほど滑らか"),
                                   ("en", "a smaller figure means a higher delivery value", "lower is smoother")):
        fig = plots.delivery_chart(ONE, lang=lang)
        words = " ".join([t.get_text() for t in fig.texts] + [fig.axes[0].get_ylabel()])
        assert better in words and smoother in words


def test_font_sizes_readable():
    fig = plots.value_matrix(MANY[:5], after=MANY[5:8], lang="ja")
    sizes = [t.get_fontsize() for ax in fig.axes for t in ax.texts] + [t.get_fontsize() for t in fig.texts]
    sizes += [lab.get_fontsize() for lab in fig.axes[0].get_yticklabels()]
    assert min(sizes) >= 10
    assert tuple(fig.get_size_inches()) == (8, 5.5)


def test_save_figure_png_and_svg(tmp_path):
    fig = plots.value_matrix(ONE, lang="en")
    assert plots.save_figure(fig, tmp_path / "m.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in plots.save_figure(fig, tmp_path / "sub" / "m.svg").read_bytes()[:2000]
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.save_figure(fig, tmp_path / "m.pdf")
    with pytest.raises(ValueError):
        plots.figure_bytes(fig, "gif")
