"""A non-editable install finds the content: the wheel carries exercises/ and the notebooks."""
import subprocess
import sys
import zipfile

import pytest

from benchmarks.common import ROOT


@pytest.mark.slow
def test_wheel_ships_exercises_and_notebooks(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("opsvalue_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("sections.toml", "assignments.toml", "quizzes.toml", "model.toml", "guide.toml"):
        assert f"opsvalue_lab/_exercises/{f}" in names
    for lang in ("ja", "en"):
        nbs = sorted(n for n in names if n.startswith(f"opsvalue_lab/_notebooks/{lang}/") and n.endswith(".ipynb"))
        assert len(nbs) == 7, nbs
    assert "opsvalue_lab/instructor/templates/report.html.j2" in names
    assert "opsvalue_lab/assets/voila/opsvalue/tree.html" in names  # the Voila landing page
    assert "opsvalue_lab/_exercises/ui.toml" in names
    assert any(n.endswith("entry_points.txt") for n in names)
