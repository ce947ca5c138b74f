"""The value matrix and the delivery chart (data in, ``matplotlib.figure.Figure`` out; never pyplot).

サービス価値 = 課題解決価値 × プロアクティブ度 (higher is better) and
デリバリ価値 = 納期 × 摩擦係数 (a smaller figure means a higher delivery value), after OpsLearn 「運用の価値」とは何か.
Meaning is carried by marker shape and text, never by colour alone. Drawing helpers: plots_base.py, plots_axes.py;
class overlays: plots_class.py (re-exported here).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from .catalogue import catalogue
from .model import Repeatability, SolutionLevel, Task, TraineePoints, ValueModel
from .plots_axes import delivery_axes, hours_range, matrix_axes
from .plots_base import _series, legend_below, plot_tasks
from .plots_class import class_delivery, class_matrix

__all__ = ["TraineePoints", "value_matrix", "delivery_chart", "class_matrix", "class_delivery",
           "figure_bytes", "save_figure"]


def value_matrix(tasks: Sequence[Task] = (), *, after: Sequence[Task] | None = None, lang: str = "ja",
                 model: ValueModel | None = None, show_reference: bool = True) -> Figure:
    """The service value matrix with the trainee's tasks (and pre → post arrows when *after* is given).

    *model* defaults to the catalogue's (exercises/model.toml)."""
    model = model or catalogue().model
    fig, ax, obstacles = matrix_axes(lang, model, show_reference)
    scores = [model.solution_value(lv) for lv in SolutionLevel]
    ax._ov_jitter = (0.05, 0.16 * min(b - a for a, b in zip(scores, scores[1:])))
    b, a, names, matched = _series(tasks, after, lambda t: (t.proactivity, model.solution_value(t.level)))
    plot_tasks(ax, obstacles, b, a, names, lang, matched)
    legend_below(fig, ax)
    return fig


def delivery_chart(tasks: Sequence[Task] = (), *, after: Sequence[Task] | None = None, lang: str = "ja",
                   model: ValueModel | None = None) -> Figure:
    """納期 × 反復再現性 with the trainee's tasks (lower delivery value is better)."""
    model = model or catalogue().model
    allt = list(tasks) + list(after or ())
    lo, hi = hours_range([t.lead_time_hours for t in allt])
    fig, ax, obstacles = delivery_axes(lang, model, (lo, hi))
    rows = {r: i + 1 for i, r in enumerate(Repeatability)}
    ax._ov_jitter = (0.0, 0.16)
    b, a, names, matched = _series(tasks, after, lambda t: (min(max(t.lead_time_hours, lo * 1.2), hi / 1.2),
                                                            rows[t.repeatability]))
    plot_tasks(ax, obstacles, b, a, names, lang, matched)
    legend_below(fig, ax)
    return fig


def figure_bytes(fig: Figure, fmt: str = "png") -> bytes:
    """The figure as PNG or SVG bytes."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"figure format {fmt!r} must be png or svg")
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=120, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure to *path*; the suffix (.png or .svg) picks the format."""
    p = Path(path)
    fmt = p.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{p}: figure file name must end in .png or .svg")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(figure_bytes(fig, fmt))
    return p
