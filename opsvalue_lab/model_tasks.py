"""The trainee's own ops tasks as rated in the self-assessment (`Task`), reading them from saved data,
and a trainee's before/after tasks on a class chart. Part of the model: import these names from
:mod:`opsvalue_lab.model`. No I/O, no widgets, no plotting here."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import (
    AVAILABILITY_KINDS,
    LEAD_TIME_UNITS,
    PROACTIVITY_MAX,
    PROACTIVITY_MIN,
    TASK_KINDS,
    Repeatability,
    SolutionLevel,
    _finite,
    check_availability,
    check_proactivity,
)


@dataclass(frozen=True)
class Task:
    """One of the trainee's own ops tasks, as rated in the self-assessment."""

    name: str
    kind: str
    level: SolutionLevel
    proactivity: float
    lead_time: float
    lead_time_unit: str = "hours"
    repeatability: Repeatability = Repeatability.VERBALISED
    availability: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("task.name must be a non-empty text")
        if self.kind not in TASK_KINDS:
            raise ValueError(f"task.kind {self.kind!r} must be one of {', '.join(TASK_KINDS)}")
        object.__setattr__(self, "level", SolutionLevel(self.level))
        object.__setattr__(self, "repeatability", Repeatability(self.repeatability))
        object.__setattr__(self, "proactivity", check_proactivity(self.proactivity))
        if self.lead_time_unit not in LEAD_TIME_UNITS:
            raise ValueError(f"task.lead_time_unit {self.lead_time_unit!r} must be one of "
                             f"{', '.join(LEAD_TIME_UNITS)}")
        lt = _finite("task.lead_time", self.lead_time, "0 – ∞")
        if lt < 0:
            raise ValueError(f"task.lead_time {self.lead_time!r} is outside the allowed range 0 – ∞")
        object.__setattr__(self, "lead_time", lt)
        if self.availability is not None:
            unknown = set(self.availability) - set(AVAILABILITY_KINDS)
            if unknown:
                raise ValueError(f"task.availability has unknown kind(s) {sorted(unknown)}; "
                                 f"allowed: {', '.join(AVAILABILITY_KINDS)}")
            object.__setattr__(self, "availability", {k: check_availability(k, v)
                                                      for k, v in self.availability.items()})

    @property
    def lead_time_hours(self) -> float:
        return self.lead_time * LEAD_TIME_UNITS[self.lead_time_unit]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "level": self.level.value,
                             "proactivity": self.proactivity, "lead_time": self.lead_time,
                             "lead_time_unit": self.lead_time_unit, "repeatability": self.repeatability.value}
        if self.availability is not None:
            d["availability"] = dict(self.availability)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        """Build a task from JSON-like data; ValueError names the bad field."""
        if not isinstance(data, Mapping):
            raise ValueError(f"task must be an object, got {type(data).__name__}")
        allowed = {"name", "kind", "level", "proactivity", "lead_time", "lead_time_unit",
                   "repeatability", "availability"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"task has unknown field(s) {sorted(unknown)}")
        for key in ("name", "kind", "level", "proactivity", "lead_time"):
            if key not in data:
                raise ValueError(f"task.{key} is missing")
        try:
            level = SolutionLevel(data["level"])
        except ValueError:
            raise ValueError(f"task.level {data['level']!r} must be one of "
                             f"{', '.join(lv.value for lv in SolutionLevel)}") from None
        try:
            rep = Repeatability(data.get("repeatability", Repeatability.VERBALISED.value))
        except ValueError:
            raise ValueError(f"task.repeatability {data.get('repeatability')!r} must be one of "
                             f"{', '.join(r.value for r in Repeatability)}") from None
        avail = data.get("availability")
        if avail is not None and not isinstance(avail, Mapping):
            raise ValueError("task.availability must be an object of system/desk/execution percentages")
        return cls(name=data["name"], kind=data["kind"], level=level, proactivity=data["proactivity"],
                   lead_time=data["lead_time"], lead_time_unit=data.get("lead_time_unit", "hours"),
                   repeatability=rep, availability=avail)


_TASK_KEYS = frozenset(("name", "kind", "level", "proactivity", "lead_time", "lead_time_unit", "repeatability"))
_TASK_KEYS_AVAIL = _TASK_KEYS | {"availability"}
_KINDS, _UNITS = frozenset(TASK_KINDS), frozenset(LEAD_TIME_UNITS)
_LEVELS = frozenset(lv.value for lv in SolutionLevel)
_REPEATS = frozenset(r.value for r in Repeatability)
_AVAIL = frozenset(AVAILABILITY_KINDS)
_isfinite = math.isfinite


def is_saved_task(d: Any) -> bool:
    """True when *d* is exactly what ``Task.to_dict`` makes of a valid task, so that
    ``Task.from_dict(d).to_dict() == d`` with the same JSON text: the fast path for reading saved
    self-assessments (a class's files hold thousands). False sends *d* through ``Task.from_dict``,
    which decides and names the problem. A property test checks the two agree."""
    if type(d) is not dict:
        return False
    keys = d.keys()
    if keys != _TASK_KEYS and keys != _TASK_KEYS_AVAIL:
        return False
    name, kind, level, p = d["name"], d["kind"], d["level"], d["proactivity"]
    lt, unit, rep = d["lead_time"], d["lead_time_unit"], d["repeatability"]
    if not (type(name) is str and type(kind) is str and type(level) is str and type(unit) is str
            and type(rep) is str and type(p) is float and type(lt) is float):
        return False
    if not (name.strip() and kind in _KINDS and level in _LEVELS and unit in _UNITS and rep in _REPEATS
            and _isfinite(p) and PROACTIVITY_MIN <= p <= PROACTIVITY_MAX and _isfinite(lt) and lt >= 0):
        return False
    if "availability" in d:
        a = d["availability"]
        if type(a) is not dict or not a.keys() <= _AVAIL:
            return False
        for v in a.values():
            if not (type(v) is float and _isfinite(v) and 0.0 <= v <= 100.0):
                return False
    return True


def tasks_from_data(data: Any) -> list[Task]:
    """A self-assessment (a list of task objects) → tasks; ValueError names the index and field."""
    if not isinstance(data, list):
        raise ValueError(f"self-assessment must be a list of tasks, got {type(data).__name__}")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(Task.from_dict(item))
        except ValueError as e:
            raise ValueError(f"tasks[{i}]: {e}") from None
    return out


@dataclass
class TraineePoints:
    """One trainee on a class chart: a label (name or id) and their before / after tasks."""

    label: str
    before: Sequence[Task] = field(default_factory=tuple)
    after: Sequence[Task] = field(default_factory=tuple)
