"""Import cost: the core and the notebook layer against importing matplotlib.pyplot + ipywidgets."""
from __future__ import annotations

from .common import median_time, row

BASE = "import matplotlib.pyplot, ipywidgets"
# everything a section notebook loads: the facade, every view, the plots and the lecture figures
WIDGETS = ("import opsvalue_lab.nb, opsvalue_lab.widgets.answer, opsvalue_lab.widgets.choice, "
           "opsvalue_lab.widgets.selfassess, opsvalue_lab.widgets.charts, opsvalue_lab.widgets.dashboard, "
           "opsvalue_lab.widgets.quiz, opsvalue_lab.widgets.self_study, opsvalue_lab.plots, opsvalue_lab.figures")


def run(tiny: bool) -> list[dict]:
    n = 1 if tiny else 7
    base = median_time(BASE, n)
    bare = median_time("pass", n)
    core = median_time("import opsvalue_lab", n)
    nb = median_time(WIDGETS, n)
    return [
        row("import opsvalue_lab (core)", core, bare, "s", "light: no matplotlib/ipywidgets", "python -c pass"),
        row("import the widgets layer (nb + every view + plots)", nb, base, "s", "≤ baseline + 0.1 s", BASE),
    ]
