"""opsvalue-lab: a training workbook for the OpsLearn lecture 「運用の価値」とは何か.

Importing the package is light: the model and catalogue are pure, and the store, widgets and
plots load only when used (``opsvalue_lab.Workbook``, ``opsvalue_lab.read_submission``).
"""
from __future__ import annotations

from typing import Any

from .catalogue import Catalogue, CatalogueError, catalogue, load_catalogue
from .errors import OpsValueError
from .model import DEFAULT_MODEL, Repeatability, SolutionLevel, Task, ValueModel

__version__ = "0.1.0"
__all__ = ["Catalogue", "CatalogueError", "catalogue", "load_catalogue", "OpsValueError",
           "DEFAULT_MODEL", "Repeatability", "SolutionLevel", "Task", "ValueModel",
           "Workbook", "read_submission"]


def __getattr__(name: str) -> Any:
    if name == "Workbook":
        from .store import Workbook
        return Workbook
    if name == "read_submission":
        from .submission import read_submission
        return read_submission
    raise AttributeError(f"module 'opsvalue_lab' has no attribute {name!r}")
