"""Import cost: the core and the notebook layer against importing matplotlib.pyplot + ipywidgets."""
from __future__ import annotations

from .common import median_time, row

BASE = "import matplotlib.pyplot, ipywidgets"


def run(tiny: bool) -> list[dict]:
    n = 1 if tiny else 7
    base = median_time(BASE, n)
    bare = median_time("pass", n)
    core = median_time("import opsvalue_lab", n)
    nb = median_time("import opsvalue_lab.nb", n)
    return [
        row("import opsvalue_lab (core)", core, bare, "s", "light: no matplotlib/ipywidgets", "python -c pass"),
        row("import opsvalue_lab.nb (widgets + plots)", nb, base, "s", "≤ baseline + 0.1 s", BASE),
    ]
