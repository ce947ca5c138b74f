"""Drawing helpers shared by the value matrix, the delivery chart and the class overlays: the figure,
the colours, short names, and placing markers, labels and arrows so that none covers another.

サービス価値 = 課題解決価値 × プロアクティブ度 (higher is better) and
デリバリ価値 = 納期 × 摩擦係数 (a smaller figure means a higher delivery value), after OpsLearn 「運用の価値」とは何か.
Meaning is carried by marker shape and text, never by colour alone. Empty chart axes: plots_axes.py;
charts: plots.py, plots_class.py.
"""
from __future__ import annotations

import math
import unicodedata
from functools import lru_cache
from typing import Any, cast
from weakref import WeakKeyDictionary

import matplotlib_fontja  # noqa: F401  (registers a Japanese font for matplotlib)
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox

from .i18n import choose

FIGSIZE = (8, 5.5)
INK, GREY = "#1f2933", "#7b8794"
REACTIVE_FILL, PROACTIVE_FILL = "#fdf0d5", "#e6f4ea"
BEFORE, AFTER, ISO = "#1f5fa8", "#c2410c", "#9aa5b1"
AX_RECT = {"ja": (0.15, 0.2, 0.82, 0.64), "en": (0.2, 0.2, 0.77, 0.64)}


_t = choose  # _t(lang, ja, en)


@lru_cache(maxsize=1)
def _font_chars() -> frozenset[int]:
    """Code points the figure font can draw (so a name never becomes a missing-glyph box)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    path = font_manager.findfont(font_manager.FontProperties(family=rcParams["font.family"]))
    return frozenset(FT2Font(path).get_charmap())


def short(name: str, width: int = 20) -> str:
    """*name* cut to about *width* columns (full-width characters count two); undrawable characters → ?."""
    out, cols = "", 0
    chars = _font_chars()
    for ch in name.strip():
        ch = ch if ord(ch) in chars or ch in " " else "?"
        cols += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if cols > width:
            return out + "…"
        out += ch
    return out


def new_figure(title: str, subtitle: str, lang: str) -> tuple[Figure, Axes]:
    """A figure with a fixed axes rectangle (deterministic label placement), title and subtitle."""
    fig = Figure(figsize=FIGSIZE)
    FigureCanvasAgg(fig)
    ax = fig.add_axes(AX_RECT["en" if lang == "en" else "ja"])
    fig.text(0.02, 0.975, title, fontsize=14, va="top", color=INK)
    fig.text(0.02, 0.925, subtitle, fontsize=10.5, va="top", color=INK)
    for s in ("top", "right"):
        ax.spines[s].set_visible(False)
    ax.tick_params(labelsize=10, colors=INK)
    return fig, ax


def legend_below(fig: Figure, ax, ncol: int = 4) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        leg = fig.legend(handles, labels, loc="upper center", ncol=min(ncol, len(handles)), fontsize=10,
                         frameon=False, bbox_to_anchor=(0.5, 0.095), handlelength=1.8, columnspacing=1.4)
        for h in leg.legend_handles:  # class clouds are faint and means are big: legend shows both plainly
            if isinstance(h, Line2D):
                h.set_alpha(1)
                h.set_markersize(min(h.get_markersize(), 9))


# ------------------------------------------------------------------ points, labels, arrows
_OFFSETS = [(7, 4, "left", "bottom"), (7, -4, "left", "top"), (-7, 4, "right", "bottom"),
            (-7, -4, "right", "top"), (0, 9, "center", "bottom"), (0, -9, "center", "top"),
            (-9, -16, "right", "top"), (9, -16, "left", "top"), (-9, 14, "right", "bottom")]


_PLACED: WeakKeyDictionary[Axes, list[Bbox]] = WeakKeyDictionary()
_PENDING: WeakKeyDictionary[Axes, list[tuple[float, float, str, str]]] = WeakKeyDictionary()


def _renderer(fig: Figure) -> Any:
    return cast(FigureCanvasAgg, fig.canvas).get_renderer()


def placed(ax: Axes) -> list[Bbox]:
    """Display-space boxes already taken on *ax* (labels, markers, arrows)."""
    return _PLACED.setdefault(ax, [])


def pending(ax: Axes) -> list[tuple[float, float, str, str]]:
    """Labels deferred until the trainee's own are placed: (x, y, text, colour)."""
    return _PENDING.setdefault(ax, [])


def finish_labels(ax: Axes) -> None:
    """Place the deferred (lower-priority) labels, e.g. the lecture's reference activities."""
    for x, y, text, color in pending(ax):
        _label(ax, x, y, text, color, zorder=4.5, optional=True)
    pending(ax).clear()


def _overlap(a, b) -> float:
    w, h = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _label(ax, x, y, text, color, size: float = 10, zorder: float = 6, optional: bool = False):
    """Put *text* next to (x, y) where it overlaps no earlier label, marker or arrow (else: least overlap).

    An *optional* label (a lecture example) is left out when every place would cover a tenth of it or
    more: the trainee's own labels must stay readable.
    """
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed_ = placed(ax)
    chosen: tuple[Any, Bbox] | None = None
    best_cost = math.inf
    for dx, dy, ha, va in _OFFSETS:
        txt = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                          fontsize=size, color=color, zorder=zorder,
                          bbox=dict(fc="white", ec="none", alpha=0.75, pad=0.6))
        box = txt.get_window_extent(renderer).padded(2)
        outside = (max(0, frame.x0 - box.x0) + max(0, box.x1 - frame.x1) + max(0, frame.y0 - box.y0)
                   + max(0, box.y1 - frame.y1))
        cost = sum(_overlap(box, b) for b in placed_) + 1000 * outside
        if cost < best_cost:
            if chosen is not None:
                chosen[0].remove()
            chosen, best_cost = (txt, box), cost
        else:
            txt.remove()
        if cost == 0:
            break
    assert chosen is not None  # _OFFSETS is not empty
    if optional and best_cost > 0.1 * chosen[1].width * chosen[1].height:
        chosen[0].remove()
        return None
    placed_.append(chosen[1])
    return chosen[1]


def _marker_box(ax, x, y, r: float = 5.0):
    px, py = ax.transData.transform((x, y))
    return Bbox.from_extents(px - r, py - r, px + r, py + r)


def arrow_boxes(ax, p0, p1) -> None:
    """Mark the path of an arrow as taken, so labels keep off it."""
    a, b = ax.transData.transform(p0), ax.transData.transform(p1)
    steps = max(2, int(math.hypot(*(b - a)) / 5))
    for k in range(1, steps):
        x, y = a + (b - a) * k / steps
        placed(ax).append(Bbox.from_extents(x - 2, y - 2, x + 2, y + 2))


def jitter(points: list[tuple[float, float]], dx: float, dy: float) -> list[tuple[float, float]]:
    """Spread points that share a position so each stays visible (deterministic)."""
    groups: dict[tuple[float, float], list[int]] = {}
    for i, (x, y) in enumerate(points):
        groups.setdefault((round(x, 2), round(y, 2)), []).append(i)
    out = list(points)
    for idx in groups.values():
        n = len(idx)
        for k, i in enumerate(idx):
            c = k - (n - 1) / 2
            s = min(1.0, 3.0 / max(n - 1, 1))
            out[i] = (points[i][0] + dx * c * s * 0.4, points[i][1] + dy * c * s)
    return out


def plot_tasks(ax, obstacles, before_xy, after_xy, names, lang, matched, ms=9):
    """Before (open circle) and after (filled square) markers, arrows, and numbered name labels."""
    pts = jitter(list(before_xy) + list(after_xy), *ax._ov_jitter)
    b, a = pts[:len(before_xy)], pts[len(before_xy):]
    for i, (x, y) in enumerate(b):
        ax.plot([x], [y], marker="o", ms=ms, mfc="white", mec=BEFORE, mew=2, ls="none", zorder=5,
                label=_t(lang, "自分の業務（Before）", "My tasks (Before)") if i == 0 else None)
        obstacles.append(_marker_box(ax, x, y))
    for j, (x, y) in enumerate(a):
        ax.plot([x], [y], marker="s", ms=ms - 1, color=AFTER, ls="none", zorder=5,
                label=_t(lang, "自分の業務（After）", "My tasks (After)") if j == 0 else None)
        obstacles.append(_marker_box(ax, x, y))
    for bi, aj in matched:
        (x0, y0), (x1, y1) = b[bi], a[aj]
        if (x0, y0) != (x1, y1):
            ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=4,
                        arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.3, shrinkA=6, shrinkB=6,
                                        mutation_scale=13))
            arrow_boxes(ax, (x0, y0), (x1, y1))
    if matched:
        ax.plot([], [], color=INK, lw=1.3, marker=">", ms=6, label="Before → After")
    crowded = len(pts) > 40  # too many to place one by one: numbers only, fixed offset
    for (x, y), (text, color) in zip(pts, names):
        if text and crowded:
            ax.annotate(text.split(" ")[0], (x, y), xytext=(5, 3), textcoords="offset points", fontsize=10,
                        color=color, zorder=6)
        elif text:
            _label(ax, x, y, text, color)
    finish_labels(ax)


def _series(tasks, after, coord):
    """Positions, labels and before→after pairs; tasks are joined by name, numbered in order."""
    before, post = list(tasks), list(after or ())
    order: list[str] = []
    for t in before + post:
        if t.name not in order:
            order.append(t.name)
    num = {n: i + 1 for i, n in enumerate(order)}
    post_names = {t.name for t in post}
    matched = [(i, j) for i, t in enumerate(before) for j, u in enumerate(post) if t.name == u.name]
    labels = [(f"{num[t.name]}" if t.name in post_names else f"{num[t.name]} {short(t.name, 22)}", BEFORE)
              for t in before]
    labels += [(f"{num[u.name]} {short(u.name, 22)}", AFTER) for u in post]
    return [coord(t) for t in before], [coord(u) for u in post], labels, matched
