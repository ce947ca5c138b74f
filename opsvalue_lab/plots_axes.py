"""The two empty charts the trainee's and the class's tasks are drawn on (floor 2).

The service value matrix (課題解決価値 by プロアクティブ度, iso-value curves, the lecture's reference
activities) and the delivery chart (log 納期 by 反復再現性, iso-lines of 納期 × 摩擦係数). Figures,
colours and label placement: plots_base.py; what is drawn on them: plots.py, plots_class.py.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.ticker import FixedLocator, NullLocator

from .model import (
    LEVEL_LABELS,
    PROACTIVITY_BOUNDARY,
    REPEATABILITY_LABELS,
    Repeatability,
    SolutionLevel,
    ValueModel,
)
from .plots_base import (
    GREY,
    INK,
    ISO,
    PROACTIVE_FILL,
    REACTIVE_FILL,
    _marker_box,
    _renderer,
    _t,
    new_figure,
    pending,
    placed,
)


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
        for i, a in enumerate(model.reference_activities):
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
