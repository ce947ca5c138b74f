"""Class overlays of the value matrix and the delivery chart (many trainees, before vs after).

Every task is a small translucent marker (open circle = Before, filled square = After); the class
mean moves along a thick arrow. Up to 12 trainees, each trainee's own mean shift is drawn and
labelled (by name, or T01, T02 … when anonymised). Readable with 200 trainees.
"""
from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

from matplotlib.figure import Figure

from .catalogue import catalogue
from .model import Repeatability, SolutionLevel, Task, TraineePoints
from .plots_axes import delivery_axes, hours_range, matrix_axes
from .plots_base import (
    AFTER,
    BEFORE,
    INK,
    _label,
    _marker_box,
    _t,
    arrow_boxes,
    finish_labels,
    legend_below,
    short,
)

PER_TRAINEE_MAX = 12


def trainee_labels(trainees: Sequence[TraineePoints], anonymise: bool) -> list[str]:
    """Display labels: the trainee's own label, or T01, T02 … (T001 … from 100 trainees)."""
    if not anonymise:
        return [short(t.label or f"#{i + 1}", 16) for i, t in enumerate(trainees)]
    width = max(2, len(str(len(trainees))))
    return [f"T{i + 1:0{width}d}" for i in range(len(trainees))]


def _mean(points: list[tuple[float, float]], logx: bool) -> tuple[float, float] | None:
    if not points:
        return None
    if logx:
        x = math.exp(sum(math.log(p[0]) for p in points) / len(points))
    else:
        x = sum(p[0] for p in points) / len(points)
    return x, sum(p[1] for p in points) / len(points)


def _overlay(ax, obstacles, trainees, coord: Callable[[Task], tuple[float, float]], lang: str,
             anonymise: bool, spread: tuple[float, float], logx: bool) -> None:
    rng = random.Random(20240601)  # fixed seed: the same class draws the same picture
    labels = trainee_labels(trainees, anonymise)
    pre = [[coord(t) for t in tr.before] for tr in trainees]
    post = [[coord(t) for t in tr.after] for tr in trainees]
    n_pts = sum(map(len, pre)) + sum(map(len, post))
    alpha = max(0.15, min(0.8, 9 / math.sqrt(max(n_pts, 1))))
    ms = 4 if n_pts > 150 else 6

    def shake(p):
        dx = math.exp(rng.uniform(-spread[0], spread[0])) if logx else 1.0
        return (p[0] * dx if logx else p[0] + rng.uniform(-spread[0], spread[0]),
                p[1] + rng.uniform(-spread[1], spread[1]))

    flat_pre = [p for ps in pre for p in ps]
    flat_post = [p for ps in post for p in ps]
    for pts, marker, color, name in ((flat_pre, "o", BEFORE, "Before"), (flat_post, "s", AFTER, "After")):
        if not pts:
            continue
        xs, ys = zip(*(shake(p) for p in pts))
        ax.plot(xs, ys, ls="none", marker=marker, ms=ms, alpha=alpha, zorder=3, mec=color,
                mfc="none" if marker == "o" else color, mew=1.2,
                label=_t(lang, f"業務（{name}）{len(pts)}件", f"Tasks ({name}): {len(pts)}"))
    m0, m1 = _mean(flat_pre, logx), _mean(flat_post, logx)
    for m, marker, color, name in ((m0, "o", BEFORE, "Before"), (m1, "s", AFTER, "After")):
        if m:
            ax.plot(*m, marker=marker, ms=15, mfc="white" if marker == "o" else color, mec=color, mew=3,
                    ls="none", zorder=7, label=_t(lang, f"クラス平均（{name}）", f"Class mean ({name})"))
            obstacles.append(_marker_box(ax, *m, r=9))
    if m0 and m1:
        ax.annotate("", xy=m1, xytext=m0, zorder=8, arrowprops=dict(
            arrowstyle="-|>", color=INK, lw=2.6, shrinkA=9, shrinkB=9, mutation_scale=20))
        arrow_boxes(ax, m0, m1)
        ax.plot([], [], color=INK, lw=2.6, marker=">", ms=7,
                label=_t(lang, "平均の移動 Before → After", "Mean shift Before → After"))
    if len(trainees) <= PER_TRAINEE_MAX:
        ends = []
        for lab, ps, qs in zip(labels, pre, post):
            t0, t1 = _mean(ps, logx), _mean(qs, logx)
            if t0 and t1 and t0 != t1:
                ax.annotate("", xy=t1, xytext=t0, zorder=4, arrowprops=dict(
                    arrowstyle="-|>", color="#52606d", lw=1.0, shrinkA=3, shrinkB=3, mutation_scale=10))
            end = t1 or t0
            if end:
                ax.plot(*end, marker="o", ms=4, color="#52606d", zorder=4)
                obstacles.append(_marker_box(ax, *end, r=3))
                ends.append((end, lab))
        for end, lab in ends:
            _label(ax, *end, lab, "#3e4c59")
    finish_labels(ax)


def class_matrix(trainees: Sequence[TraineePoints], *, lang: str = "ja", anonymise: bool = False,
                 model=None) -> Figure:
    """The whole class on the service value matrix, with the mean shift from before to after."""
    model = model or catalogue().model
    title = _t(lang, f"クラスのサービス価値マトリクス（{len(trainees)}人）",
               f"Class service value matrix ({len(trainees)} trainees)")
    fig, ax, obstacles = matrix_axes(lang, model, True, title=title)
    scores = [model.solution_value(lv) for lv in SolutionLevel]
    gap = min(b - a for a, b in zip(scores, scores[1:]))
    _overlay(ax, obstacles, trainees, lambda t: (t.proactivity, model.solution_value(t.level)), lang,
             anonymise, (0.03, 0.22 * gap), logx=False)
    legend_below(fig, ax, ncol=3)
    return fig


def class_delivery(trainees: Sequence[TraineePoints], *, lang: str = "ja", anonymise: bool = False,
                   model=None) -> Figure:
    """The whole class on the delivery chart (geometric mean of lead times), before vs after."""
    model = model or catalogue().model
    hours = [t.lead_time_hours for tr in trainees for t in (*tr.before, *tr.after)]
    lo, hi = hours_range(hours)
    title = _t(lang, f"クラスのデリバリ価値チャート（{len(trainees)}人）",
               f"Class delivery value chart ({len(trainees)} trainees)")
    fig, ax, obstacles = delivery_axes(lang, model, (lo, hi), title=title)
    rows = {r: i + 1 for i, r in enumerate(Repeatability)}
    _overlay(ax, obstacles, trainees,
             lambda t: (min(max(t.lead_time_hours, lo * 1.2), hi / 1.2), rows[t.repeatability]),
             lang, anonymise, (0.12, 0.22), logx=True)
    legend_below(fig, ax, ncol=3)
    return fig
