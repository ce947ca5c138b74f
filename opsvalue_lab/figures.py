"""Lecture figures for the 運用の価値 workbook (pure matplotlib, no pyplot).

Every function takes ``lang`` ("ja" or "en") and returns a new
``matplotlib.figure.Figure``.  Diagrams are boxes, arrows and text; meaning is
carried by labels, numbers (①②③) and shape markers (o = yes, x = no), never by colour alone.
Source: OpsLearn 運用設計 入門コース 第2回「運用の価値」とは何か (https://www.opslearn.jp/).
"""
from __future__ import annotations

import matplotlib_fontja  # noqa: F401  (registers a Japanese font for matplotlib)
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from .i18n import choose

W, H = 100.0, 56.25  # drawing coordinates (16:9, matches figsize 8 x 4.5)

INK = "#1f2933"
EDGE = "#3e4c59"
FILL_A = "#e3f0fb"   # light blue
FILL_B = "#fdf0d5"   # light sand
FILL_C = "#e6f4ea"   # light green
FILL_N = "#f5f5f5"   # neutral


_t = choose  # _t(lang, ja, en)


def _canvas(title: str):
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.axis("off")
    ax.text(2, H - 2.5, title, fontsize=14, va="top", color=INK)
    return fig, ax


def _box(ax, x, y, w, h, text, fill=FILL_N, size=11, weight="normal", style="round,pad=0.4", lw=1.4):
    """Box whose lower-left corner is (x, y); text centred."""
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle=style, fc=fill, ec=EDGE, lw=lw))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size,
            fontweight=weight, color=INK, linespacing=1.35)


def _arrow(ax, start, end, label=None, size=10, rad=0.0, offset=(0, 1.6), style="-|>", ls="-"):
    ax.annotate("", xy=end, xytext=start,
                arrowprops=dict(arrowstyle=style, color=EDGE, lw=1.6, ls=ls,
                                shrinkA=2, shrinkB=2, connectionstyle=f"arc3,rad={rad}",
                                mutation_scale=16))
    if label:
        mx = (start[0] + end[0]) / 2 + offset[0]
        my = (start[1] + end[1]) / 2 + offset[1]
        ax.text(mx, my, label, ha="center", va="center", fontsize=size, color=INK,
                bbox=dict(fc="white", ec="none", pad=1.0), linespacing=1.3)


def _mark(ax, x, y, kind):
    """A shape marker (o = yes, x = no) so meaning does not rely on colour."""
    if kind == "o":
        ax.plot([x], [y], marker="o", ms=11, mfc="white", mec=INK, mew=2, ls="none")
    else:
        ax.plot([x], [y], marker="X", ms=11, mfc=INK, mec=INK, ls="none")


# ---------------------------------------------------------------- section 1
def cost_cycle(lang: str = "ja") -> Figure:
    """The cost-cutting trap as the lecture draws it: a chain (not a loop) from unexplained value to cuts."""
    fig, ax = _canvas(_t(lang, "「運用コスト削減」に至る流れ", "How ops cost cutting comes about"))
    bw, bh = 36, 10
    boxes = {
        "a": (6, 33, _t(lang, "① 運用組織が\n運用の価値を説明できない",
                        "① Ops cannot explain\nwhat its value is")),
        "b": (58, 33, _t(lang, "② ユーザー・経営層には\n運用の価値がよくわからない",
                         "② Users and executives\ncannot see that value")),
        "c": (58, 8, _t(lang, "③「ならば、コストは低い方がよい」\n→ 運用コスト削減",
                        "③ \"Then cheaper is better\"\n→ ops cost is cut")),
        "d": (6, 8, _t(lang, "④ 運用の社内評価が下がり、\n運用現場で働く人が減る",
                       "④ Ops loses internal standing,\nand fewer people work in ops")),
    }
    fills = {"a": FILL_A, "b": FILL_A, "c": FILL_B, "d": FILL_B}
    for k, (x, y, txt) in boxes.items():
        _box(ax, x, y, bw, bh, txt, fill=fills[k], size=11)
    _arrow(ax, (43, 38), (57, 38))
    _arrow(ax, (76, 32), (76, 19.5))
    _arrow(ax, (57, 13), (43, 13))
    ax.text(50, 2.5, _t(lang, "出口: 価値を説明し、理解してもらう → 現在価値と未来価値が上がる",
                        "Way out: explain the value and get it understood → present and future value rise"),
            ha="center", va="center", fontsize=10.5, color=INK,
            bbox=dict(boxstyle="round,pad=0.4", fc=FILL_C, ec=EDGE))
    return fig


# ---------------------------------------------------------------- section 2
def value_recognition(lang: str = "ja") -> Figure:
    """When does value become real? Self receiver vs other receiver."""
    fig, ax = _canvas(_t(lang, "価値が具体化するタイミング", "When does value become real?"))
    # row 1: receiver is oneself
    ax.text(2, 42, _t(lang, "受け取り手が自分", "Receiver is\nyourself"), fontsize=11,
            va="center", color=INK)
    _box(ax, 22, 37, 30, 10, _t(lang, "提供者 = 受け取り手", "Provider = receiver"), fill=FILL_A)
    _arrow(ax, (53, 42), (60.5, 42))
    _box(ax, 65, 37, 32, 10, _t(lang, "提供した時点で\n価値が具体化する", "Value is real\nthe moment it is provided"),
         fill=FILL_C, size=10.5)
    _mark(ax, 62.5, 42, "o")
    ax.plot([2, 98], [32, 32], color="#9aa5b1", lw=1, ls="--")
    # row 2: receiver is someone else
    ax.text(2, 22, _t(lang, "受け取り手が他人\n（ビジネス）", "Receiver is\nsomeone else\n(business)"),
            fontsize=11, va="center", color=INK)
    _box(ax, 22, 18, 14, 8, _t(lang, "提供者", "Provider"), fill=FILL_A)
    _box(ax, 47, 18, 16, 8, _t(lang, "受け取り手", "Receiver"), fill=FILL_A)
    _arrow(ax, (37, 22), (46, 22), label=_t(lang, "役立つ", "useful"), size=10, offset=(0, 3.2))
    _box(ax, 70, 24, 27, 6.5, _t(lang, "認識した → 価値が具体化", "Recognised → value is real"),
         fill=FILL_C, size=10)
    _box(ax, 70, 12.5, 27, 6.5, _t(lang, "認識しない → 具体化しない", "Not recognised → never real"),
         fill=FILL_B, size=10)
    _mark(ax, 67, 27.25, "o")
    _mark(ax, 67, 15.75, "x")
    _arrow(ax, (64, 23.5), (65.5, 26.2))
    _arrow(ax, (64, 20.5), (65.5, 16.8))
    ax.text(50, 3.5, _t(lang, "提供者は、相手の目的実現への貢献をわかりやすく伝える必要がある",
                        "So a provider must make its contribution to the receiver's purpose easy to see"),
            ha="center", va="center", fontsize=10.5, color=INK,
            bbox=dict(boxstyle="round,pad=0.4", fc=FILL_N, ec=EDGE))
    return fig


# ---------------------------------------------------------------- section 3
def ops_flows(lang: str = "ja") -> Figure:
    """Three ops flows: each starts with a request and ends with a delivery."""
    fig, ax = _canvas(_t(lang, "運用業務の3つの流れ: リクエスト → デリバリ",
                         "Three ops flows: request → delivery"))
    rows = [
        (_t(lang, "① フルフィルメント\n（依頼対応）", "① Fulfilment\n(requests)"),
         _t(lang, "ユーザー", "User"), _t(lang, "依頼", "request"),
         _t(lang, "完了連絡", "completion notice")),
        (_t(lang, "② 障害対応", "② Incident"),
         _t(lang, "システム", "System"), _t(lang, "障害通知", "alert"),
         _t(lang, "復旧作業", "recovery")),
        (_t(lang, "③ 運用移管", "③ Transition"),
         _t(lang, "ユーザー\n（開発など）", "User\n(e.g. dev team)"), _t(lang, "移管依頼", "handover request"),
         _t(lang, "受入・移管完了連絡", "acceptance notice")),
    ]
    ax.text(62, 47.5, _t(lang, "リクエスト（課題）→", "request (problem) →"), ha="center",
            fontsize=10, color=INK)
    ax.text(62, 44.5, _t(lang, "← デリバリ（課題解決）", "← delivery (solution)"), ha="center",
            fontsize=10, color=INK)
    for i, (name, src, req, dlv) in enumerate(rows):
        y = 31 - i * 13.5
        ax.text(2, y + 4.5, name, fontsize=11, va="center", color=INK)
        _box(ax, 28, y, 18, 9, src, fill=FILL_A, size=10.5)
        _box(ax, 80, y, 16, 9, _t(lang, "運用", "Ops"), fill=FILL_C, size=11)
        _arrow(ax, (47, y + 6.5), (79, y + 6.5), label=req, size=10, offset=(0, 1.7))
        _arrow(ax, (79, y + 2.5), (47, y + 2.5), label=dlv, size=10, offset=(0, -1.7))
    return fig


def qcd(lang: str = "ja") -> Figure:
    """QCD: productivity = Quality / (Delivery × Cost)."""
    fig, ax = _canvas(_t(lang, "QCDで運用の生産性を客観化する", "QCD: making ops productivity objective"))
    _box(ax, 20, 22, 14, 8, _t(lang, "運用", "Ops"), fill=FILL_C, size=12)
    corners = [
        (17, 38, "Quality", _t(lang, "品質という価値観", "a value judgement")),
        (2, 6, "Delivery", _t(lang, "時間という物性", "time (measurable)")),
        (32, 6, "Cost", _t(lang, "金額という物性", "money (measurable)")),
    ]
    for x, y, head, sub in corners:
        _box(ax, x, y, 20, 9, f"{head}\n{sub}", fill=FILL_A, size=10)
    _arrow(ax, (27, 37), (27, 31), style="-")
    _arrow(ax, (22, 21.5), (15, 15.5), style="-")
    _arrow(ax, (32, 21.5), (40, 15.5), style="-")
    # formula
    fx = 83
    ax.text(fx - 12, 29.5, _t(lang, "生産性 =", "Productivity ="), ha="right", va="center",
            fontsize=13, color=INK)
    ax.text(fx, 33, "Quality", ha="center", va="center", fontsize=14, color=INK)
    ax.plot([fx - 10.5, fx + 10.5], [29.5, 29.5], color=INK, lw=1.6)
    ax.text(fx, 26, "Delivery × Cost", ha="center", va="center", fontsize=14, color=INK)
    ax.text(76, 12.5, _t(lang, "どれだけの時間と費用で\nどんな品質が得られたか\n\n高い生産性 = 高品質のサービスを\n短納期・低コストでデリバリする",
                         "What quality did we get\nfor how much time and money?\n\nHigh productivity = high-quality\nservice, short lead time, low cost"),
            ha="center", va="center", fontsize=10.5, color=INK, linespacing=1.35,
            bbox=dict(boxstyle="round,pad=0.5", fc=FILL_N, ec=EDGE))
    return fig


# ---------------------------------------------------------------- section 5
def engineering_ladder(lang: str = "ja") -> Figure:
    """Person-independence as engineering: craftwork → three shifts → multi-skilled on demand.

    The lecture's slide pairs 非属人化レベル 中 with 生産ラインレベル and 高 with 工程レベル."""
    fig, ax = _canvas(_t(lang, "「非属人化」も大事なエンジニアリング", "Making work person-independent is engineering too"))
    steps = [
        (_t(lang, "職人仕事", "Craftwork"), _t(lang, "個々人が独自\n非属人化: 皆無", "each person's own way\nperson-independence: none"), FILL_B),
        (_t(lang, "三交代制の仕事", "Three-shift work"), _t(lang, "生産ラインレベル\n非属人化レベル: 中", "production-line level\nperson-independence: medium"), FILL_A),
        (_t(lang, "多能工・オンデマンド", "Multi-skilled, on demand"), _t(lang, "工程レベル\n非属人化レベル: 高", "process-step level\nperson-independence: high"), FILL_C),
    ]
    for i, (head, sub, fill) in enumerate(steps):
        x, y = 3 + i * 33, 8 + i * 11
        _box(ax, x, y, 28, 15, "", fill=fill)
        ax.text(x + 14, y + 11, head, ha="center", va="center", fontsize=11.5, color=INK)
        ax.text(x + 14, y + 4.5, sub, ha="center", va="center", fontsize=10, color=INK, linespacing=1.3)
        if i < 2:
            _arrow(ax, (x + 28.5, y + 10), (x + 32.5, y + 17))
    ax.text(3, 44, _t(lang, "エンジニアリング = 仕事を論理的に言語化すること\n（コードや実装だけではない）",
                      "Engineering = putting work into logical words\n(not only code and tooling)"),
            fontsize=10.5, va="center", color=INK, linespacing=1.35)
    _arrow(ax, (3, 4), (97, 4))
    ax.text(50, 4, _t(lang, "非属人化のレベル: 皆無 → 中 → 高", "Person-independence: none → medium → high"),
            ha="center", va="center", fontsize=10.5, color=INK, bbox=dict(fc="white", ec="none", pad=2))
    return fig


def availability(lang: str = "ja") -> Figure:
    """Ops availability (0–100 %): the lecture's three kinds; all of them drive lead time."""
    fig, ax = _canvas(_t(lang, "運用の可用性（0〜100 %）は納期を左右する",
                         "Ops availability (0–100 %) drives lead time"))
    layers = [
        (_t(lang, "① システムの可用性", "① System availability"),
         _t(lang, "ユーザーがシステムを使える状態か", "Can users use the system?")),
        (_t(lang, "② 運用窓口の可用性", "② Ops desk availability"),
         _t(lang, "依頼を受け付けられるか（飽和・受付停止でないか）", "Can requests be accepted? (not saturated or closed)")),
        (_t(lang, "③ 運用遂行の可用性", "③ Execution availability"),
         _t(lang, "受けた依頼を遂行できるか（放置されていないか）", "Is accepted work carried out? (not left unattended)")),
    ]
    for i, (head, sub) in enumerate(layers):
        y = 34 - i * 13
        _box(ax, 3, y, 62, 9.5, "", fill=FILL_A)
        ax.text(5, y + 6.6, head, fontsize=11, va="center", color=INK)
        ax.text(5, y + 2.6, sub, fontsize=10, va="center", color=INK)
        _arrow(ax, (66, y + 4.75), (78, 22))
    _box(ax, 79, 17, 18, 10, _t(lang, "納期\n（リードタイム）", "Lead time"), fill=FILL_B, size=12)
    ax.text(88, 10, _t(lang, "どれかが下がると\n納期が延びる", "If any of them drops,\nlead time grows"),
            ha="center", va="center", fontsize=10, color=INK)
    return fig


FIGURES = {
    "cost_cycle": cost_cycle,
    "value_recognition": value_recognition,
    "ops_flows": ops_flows,
    "qcd": qcd,
    "engineering_ladder": engineering_ladder,
    "availability": availability,
}
