"""Drawing helpers shared by the value matrix, the delivery chart and the class overlays.

サービス価値 = 課題解決価値 × プロアクティブ度 (higher is better) and
デリバリ価値 = 納期 × 摩擦係数 (a smaller figure means a higher delivery value), after OpsLearn 「運用の価値」とは何か.
Meaning is carried by marker shape and text, never by colour alone. Charts: plots.py, plots_class.py.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast
from weakref import WeakKeyDictionary

import matplotlib_fontja  # noqa: F401  (registers a Japanese font for matplotlib)
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, NullLocator
from matplotlib.transforms import Bbox

from .i18n import choose
from .model import (
    LEVEL_LABELS,
    PROACTIVITY_BOUNDARY,
    REFERENCE_ACTIVITIES,
    REPEATABILITY_LABELS,
    Repeatability,
    SolutionLevel,
    ValueModel,
)

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


# ------------------------------------------------------------------ service value matrix
def matrix_axes(lang: str, model: ValueModel, show_reference: bool, title: str | None = None):
    """Empty value matrix: halves, 1.0 boundary, level rows, iso-value curves, reference activities."""
    fig, ax = new_figure(
        title or _t(lang, "サービス価値マトリクス", "Service value matrix"),
        _t(lang, "サービス価値 = 課題解決価値 × プロアクティブ度（右上ほど高価値）",
           "Service value = problem-solving value × proactivity (higher and further right = more value)"),
        lang)
    scores = [model.solution_value(lv) for lv in SolutionLevel]
    top = scores[-1] + 0.55 * (scores[-1] - scores[-2])
    bottom = -0.45 * (scores[1] - scores[0])
    ax.set_xlim(0, 2.0)
    ax.set_ylim(bottom, top)
    ax.axvspan(0, PROACTIVITY_BOUNDARY, color=REACTIVE_FILL, zorder=0)
    ax.axvspan(PROACTIVITY_BOUNDARY, 2.0, color=PROACTIVE_FILL, zorder=0)
    ax.axvline(PROACTIVITY_BOUNDARY, color=INK, lw=1.4, ls="--", zorder=1)
    for s in scores:
        ax.axhline(s, color="white", lw=1.0, zorder=0.5)
    kw: dict[str, Any] = dict(transform=ax.transAxes, fontsize=10.5, color=INK, va="bottom")
    ax.text(0.25, 1.015, _t(lang, "◀ 事後的対応（リアクティブ）0.1–0.9", "◀ Reactive (after the fact) 0.1–0.9"),
            ha="center", **kw)
    ax.text(0.75, 1.015, _t(lang, "事前的対応（プロアクティブ）1.1–2.0 ▶", "Proactive (ahead of time) 1.1–2.0 ▶"),
            ha="center", **kw)
    ax.text(PROACTIVITY_BOUNDARY + 0.02, bottom + 0.06, _t(lang, "境界 1.0", "boundary 1.0"),
            fontsize=10, color=INK, va="bottom", ha="left", zorder=2)
    ax.set_xticks([0, 0.5, 1.0, 1.5, 2.0])
    ax.set_xticklabels(["0", "0.5", "1.0", "1.5", "2.0"])
    ax.set_xlabel(_t(lang, "プロアクティブ度（0 – 2.0）: ユーザーの課題を、どのタイミングで解決するか",
                     "Proactivity (0 – 2.0): when the user's problem is solved"), fontsize=10.5)
    ax.set_yticks(scores)
    ax.set_yticklabels([f"{LEVEL_LABELS[lv][_t(lang, 'ja', 'en')]}\n{_t(lang, f'（点 {s:g}）', f'(score {s:g})')}"
                        for lv, s in zip(SolutionLevel, scores)], fontsize=10)
    ax.set_ylabel(_t(lang, "課題解決価値", "Problem-solving value"), fontsize=10.5)
    vmax = scores[-1] * 2.0
    values = [v for v in (0.5, 1, 2, 3, 4, 5) if v < vmax * 0.9] if vmax <= 8 else \
        [round(vmax * f, 1) for f in (0.1, 0.2, 0.4, 0.6, 0.8)]
    for i, v in enumerate(values):
        xs = [v / top + k * (2.0 - v / top) / 60 for k in range(61)]
        ax.plot(xs, [v / x for x in xs], color=ISO, lw=1.0, ls=":", zorder=1,
                label=_t(lang, "等価値線（数字 = サービス価値）", "Iso-value line (number = service value)")
                if i == 0 else None)
        txt = ax.text(v / top, top - 0.04 * (top - bottom), f"{v:g}", fontsize=10, color="#52606d", ha="center",
                      va="top", zorder=3, bbox=dict(fc="white", ec=ISO, lw=0.6, boxstyle="round,pad=0.25"))
        placed(ax).append(txt.get_window_extent(_renderer(fig)).padded(2))
    pending(ax).clear()
    if show_reference:
        for i, a in enumerate(REFERENCE_ACTIVITIES):
            y = model.solution_value(a.level)
            ax.plot([a.proactivity], [y], marker="D", ms=7, color=GREY, ls="none", zorder=3,
                    label=_t(lang, "講義で挙がった業務（位置は目安）",
                             "Lecture examples (positions: this workbook's guide)") if i == 0 else None)
            placed(ax).append(_marker_box(ax, a.proactivity, y))
            pending(ax).append((a.proactivity, y, a.label[_t(lang, "ja", "en")], GREY))
    return fig, ax, placed(ax)


# ------------------------------------------------------------------ delivery chart
_TICKS = [(1 / 60, "1分", "1 min"), (5 / 60, "5分", "5 min"), (15 / 60, "15分", "15 min"),
          (0.5, "30分", "30 min"), (1, "1時間", "1 h"), (2, "2時間", "2 h"), (4, "4時間", "4 h"),
          (8, "8時間", "8 h"), (24, "1日", "1 day"), (72, "3日", "3 days"), (168, "1週", "1 week"),
          (336, "2週", "2 weeks"), (720, "1か月", "1 month"), (2160, "3か月", "3 months"),
          (8760, "1年", "1 year")]


def hours_range(hours: Sequence[float]) -> tuple[float, float]:
    """A log-scale x range around the data, at least two decades wide."""
    pos = [h for h in hours if h > 0]
    if not pos:
        return 0.1, 1000.0
    lo, hi = min(pos) / 2.5, max(pos) * 2.5
    if hi / lo < 100:
        mid = math.sqrt(lo * hi)
        lo, hi = mid / 10, mid * 10
    return max(lo, 1 / 240), min(hi, 2 * 8760)


def delivery_axes(lang: str, model: ValueModel, xlim: tuple[float, float], title: str | None = None):
    """Empty delivery chart: log 納期 axis with time ticks, L1–L4 rows, iso-lines of 納期 × 摩擦係数."""
    fig, ax = new_figure(
        title or _t(lang, "デリバリ価値チャート", "Delivery value chart"),
        _t(lang, "納期 × 摩擦係数（反復再現性）: 値が小さいほどデリバリ価値が高い（左上ほど高価値）",
           "Lead time × friction coefficient (repeatability): a smaller figure means a higher delivery value "
           "(upper left = more value)"),
        lang)
    lo, hi = xlim
    ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0.45, 4.75)
    picked: list[tuple[float, str]] = []
    for h, ja, en in _TICKS:
        if lo <= h <= hi and (not picked or math.log10(h / picked[-1][0]) >= math.log10(hi / lo) / 9):
            picked.append((h, _t(lang, ja, en)))
    ax.xaxis.set_major_locator(FixedLocator([p[0] for p in picked]))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticklabels([p[1] for p in picked])
    ax.set_xlabel(_t(lang, "納期（対数目盛）: ユーザーの課題解決を、どの程度短期間で実現するか — 短いほどよい",
                     "Lead time (log scale): how quickly the user's problem is solved — shorter is better"),
                  fontsize=10.5)
    reps = list(Repeatability)
    coefs = [model.coefficient(r) for r in reps]
    ax.set_yticks([1, 2, 3, 4])
    ax.set_yticklabels([REPEATABILITY_LABELS[r][_t(lang, "ja", "en")] + "\n"
                        + _t(lang, f"（摩擦係数 {c:g}）", f"(friction {c:g})") for r, c in zip(reps, coefs)],
                       fontsize=10)
    ax.set_ylabel(_t(lang, "反復再現性（摩擦係数のようなもの: 低いほど滑らか）",
                     "Repeatability (like a friction coefficient: lower is smoother)"), fontsize=10.5)
    for y in (1, 2, 3, 4):
        ax.axhline(y, color="#e4e7eb", lw=1.0, zorder=0.5)
    vlo, vhi = lo * min(coefs), hi * max(coefs)
    cands = [v * 10 ** e for e in range(-3, 6) for v in (1, 2, 5)]
    cands = [v for v in cands if vlo * 1.5 < v < vhi / 1.5]
    step = max(1, math.ceil(len(cands) / 5))
    for i, v in enumerate(cands[step // 2::step]):
        xs = [v / c for c in coefs]
        iso = _t(lang, "等価値線（数字 = 納期[時間] × 摩擦係数、小さいほど高価値）",
                 "Iso-value line (number = lead time [h] × friction; smaller = more value)")
        ax.plot(xs, [1, 2, 3, 4], color=ISO, lw=1.0, ls=":", zorder=1, label=iso if i == 0 else None)
        at = next(((x, y) for x, y in zip(xs[::-1], (4, 3, 2, 1)) if lo * 1.3 < x < hi / 1.3), None)
        if at:
            txt = ax.text(at[0], at[1] + 0.3, f"{v:g}", fontsize=10, color="#52606d", ha="center", va="center",
                          zorder=3, bbox=dict(fc="white", ec=ISO, lw=0.6, boxstyle="round,pad=0.25"))
            placed(ax).append(txt.get_window_extent(_renderer(fig)).padded(2))
    pending(ax).clear()
    return fig, ax, placed(ax)


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
