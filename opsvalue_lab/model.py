"""The value model of the lecture 「運用の価値」とは何か (OpsLearn), as pure functions.

サービス価値 (service value)  = 課題解決価値 (problem-solving value) × プロアクティブ度 (proactivity)
デリバリ価値 (delivery value) = 納期 (lead time) × 反復再現性 (摩擦係数, friction coefficient); a smaller figure
means a higher delivery value.

The lecture fixes the order of the levels, 0 for 未解決, the ranges 0 – ∞ and 0 – 2.0, and that
repeatability behaves "like friction: lower is smoother". The numeric scores and coefficients
below are this workbook's documented convention; pass your own to :class:`ValueModel`.
No I/O, no widgets, no plotting here.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

PROACTIVITY_MIN = 0.0
PROACTIVITY_MAX = 2.0
PROACTIVITY_BOUNDARY = 1.0
REACTIVE_RANGE = (0.1, 0.9)  # 事後的対応, as the lecture gives it
PROACTIVE_RANGE = (1.1, 2.0)  # 事前的対応
TASK_KINDS: tuple[str, ...] = ("fulfilment", "incident", "transition", "other")
LEAD_TIME_UNITS: dict[str, float] = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0}
AVAILABILITY_KINDS: tuple[str, ...] = ("system", "desk", "execution")


class SolutionLevel(str, Enum):
    """課題解決のレベル, in the lecture's order (lowest first)."""

    UNSOLVED = "unsolved"
    FORMAL = "formal"
    SUBSTANTIAL = "substantial"
    ROOT = "root"


class Repeatability(str, Enum):
    """反復再現性のレベル L1 – L4 (lowest first)."""

    VERBALISED = "verbalised"
    STRUCTURED = "structured"
    DEPERSONALISED = "depersonalised"
    OBJECTIVE = "objective"


LEVEL_LABELS: dict[SolutionLevel, dict[str, str]] = {
    SolutionLevel.UNSOLVED: {"ja": "未解決", "en": "Unsolved"},
    SolutionLevel.FORMAL: {"ja": "形式的解決", "en": "By-the-letter solution"},
    SolutionLevel.SUBSTANTIAL: {"ja": "実質的解決", "en": "Substantive solution"},
    SolutionLevel.ROOT: {"ja": "根本解決", "en": "Root-cause solution"},
}
LEVEL_DESCRIPTIONS: dict[SolutionLevel, dict[str, str]] = {
    SolutionLevel.UNSOLVED: {"ja": "依頼どおりに実施したが、何も解決していない。",
                             "en": "Did what was asked, but nothing was solved."},
    SolutionLevel.FORMAL: {"ja": "依頼をそのまま形式的に解決した。",
                           "en": "Solved exactly what was asked, to the letter."},
    SolutionLevel.SUBSTANTIAL: {"ja": "依頼の真意を理解し、実質的に解決した。",
                                "en": "Understood the real intent and solved the actual problem."},
    SolutionLevel.ROOT: {"ja": "ユーザーが気付いていない根本原因とともに解決した。",
                         "en": "Solved it together with a root cause the user had not seen."},
}
REPEATABILITY_LABELS: dict[Repeatability, dict[str, str]] = {
    Repeatability.VERBALISED: {"ja": "L1 言語化", "en": "L1 Verbalised"},
    Repeatability.STRUCTURED: {"ja": "L2 論理化・構造化", "en": "L2 Structured"},
    Repeatability.DEPERSONALISED: {"ja": "L3 非属人化", "en": "L3 Person-independent"},
    Repeatability.OBJECTIVE: {"ja": "L4 客観化", "en": "L4 Objective"},
}
REPEATABILITY_DESCRIPTIONS: dict[Repeatability, dict[str, str]] = {
    Repeatability.VERBALISED: {"ja": "事実に基づいて言葉になっている。", "en": "Put into words, based on facts."},
    Repeatability.STRUCTURED: {"ja": "論理的に正しく整理されている。", "en": "Logically correct and structured."},
    Repeatability.DEPERSONALISED: {"ja": "他の人でも再現できる。", "en": "Others can reproduce it."},
    Repeatability.OBJECTIVE: {"ja": "複数人が見て正しいと言える。", "en": "Several people agree it is right."},
}

DEFAULT_LEVEL_SCORES: dict[SolutionLevel, float] = {
    SolutionLevel.UNSOLVED: 0.0, SolutionLevel.FORMAL: 1.0,
    SolutionLevel.SUBSTANTIAL: 2.0, SolutionLevel.ROOT: 3.0,
}
DEFAULT_REPEATABILITY_COEFFICIENTS: dict[Repeatability, float] = {
    Repeatability.VERBALISED: 1.0, Repeatability.STRUCTURED: 0.75,
    Repeatability.DEPERSONALISED: 0.5, Repeatability.OBJECTIVE: 0.25,
}


def _finite(name: str, value: float, allowed: str = "a finite number") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {value!r} (allowed range {allowed})")
    if not math.isfinite(value):
        raise ValueError(f"{name} {value!r} is outside the allowed range {allowed}")
    return float(value)


def check_proactivity(value: float) -> float:
    """Return *value* as float if it lies in [0, 2.0]; else ValueError naming value and range."""
    v = _finite("proactivity (プロアクティブ度)", value, f"{PROACTIVITY_MIN} – {PROACTIVITY_MAX}")
    if not PROACTIVITY_MIN <= v <= PROACTIVITY_MAX:
        raise ValueError(f"proactivity (プロアクティブ度) {value!r} is outside the allowed range "
                         f"{PROACTIVITY_MIN} – {PROACTIVITY_MAX}")
    return v


def classify_proactivity(value: float) -> str:
    """'reactive' (事後的対応) below 1.0, 'proactive' (事前的対応) above, 'boundary' at 1.0."""
    v = check_proactivity(value)
    if v < PROACTIVITY_BOUNDARY:
        return "reactive"
    return "boundary" if v == PROACTIVITY_BOUNDARY else "proactive"


PROACTIVITY_LABELS = {
    "reactive": {"ja": "事後的対応（リアクティブ）", "en": "Reactive (after the fact)"},
    "boundary": {"ja": "境界（1.0）", "en": "Boundary (1.0)"},
    "proactive": {"ja": "事前的対応（プロアクティブ）", "en": "Proactive (ahead of time)"},
}


def check_availability(name: str, value: float) -> float:
    """運用の可用性 as a percentage in [0, 100]."""
    v = _finite(f"availability.{name}", value, "0 – 100 (%)")
    if not 0.0 <= v <= 100.0:
        raise ValueError(f"availability.{name} {value!r} is outside the allowed range 0 – 100 (%)")
    return v


def productivity(quality: float, delivery: float, cost: float) -> float:
    """QCD productivity = Quality / (Delivery × Cost). Delivery and cost must be > 0."""
    q = _finite("quality", quality)
    d = _finite("delivery", delivery)
    c = _finite("cost", cost)
    if q < 0:
        raise ValueError(f"quality {quality!r} is outside the allowed range 0 – ∞")
    for name, v, raw in (("delivery", d, delivery), ("cost", c, cost)):
        if v <= 0:
            raise ValueError(f"{name} {raw!r} is outside the allowed range (0, ∞): must be positive")
    return q / (d * c)


@dataclass(frozen=True)
class ReferenceActivity:
    """One of the lecture's example activities drawn on the value matrix. The figures live in
    exercises/model.toml (``[[reference_activity]]``); the catalogue loader builds these."""

    key: str
    label: Mapping[str, str]
    level: SolutionLevel
    proactivity: float

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise ValueError("key must be a non-empty text")
        for lang in ("ja", "en"):
            v = self.label.get(lang) if isinstance(self.label, Mapping) else None
            if not isinstance(v, str) or not v.strip():
                raise ValueError(f"{lang} must be a non-empty text")
        object.__setattr__(self, "level", SolutionLevel(self.level))
        object.__setattr__(self, "proactivity", check_proactivity(self.proactivity))


@dataclass(frozen=True)
class ValueModel:
    """Scores and coefficients of the model. Defaults are the workbook's convention."""

    level_scores: Mapping[SolutionLevel, float] = field(default_factory=lambda: dict(DEFAULT_LEVEL_SCORES))
    repeatability_coefficients: Mapping[Repeatability, float] = field(
        default_factory=lambda: dict(DEFAULT_REPEATABILITY_COEFFICIENTS))
    # The lecture's example activities on the value matrix: only in exercises/model.toml (none by default).
    reference_activities: tuple[ReferenceActivity, ...] = ()

    def __post_init__(self) -> None:
        keys = [a.key for a in self.reference_activities]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"reference activity key {dup[0]!r} appears twice")
        scores = [self.level_scores.get(lv) for lv in SolutionLevel]
        if any(s is None for s in scores):
            raise ValueError("level_scores must give a score for each of the four levels")
        vals = [_finite(f"level_scores.{lv.value}", s) for lv, s in zip(SolutionLevel, scores)]  # type: ignore[arg-type]
        if vals[0] != 0.0:
            raise ValueError(f"level_scores.unsolved {vals[0]!r} must be 0 (the lecture: 未解決 has no value)")
        if any(b <= a for a, b in zip(vals, vals[1:])):
            raise ValueError(f"level_scores {vals!r} must rise strictly: 未解決 < 形式的 < 実質的 < 根本")
        coefs = [self.repeatability_coefficients.get(r) for r in Repeatability]
        if any(c is None for c in coefs):
            raise ValueError("repeatability_coefficients must give a coefficient for each of the four levels")
        cvals = [_finite(f"repeatability_coefficients.{r.value}", c) for r, c in zip(Repeatability, coefs)]  # type: ignore[arg-type]
        if any(c <= 0 for c in cvals) or any(b >= a for a, b in zip(cvals, cvals[1:])):
            raise ValueError(f"repeatability_coefficients {cvals!r} must be positive and fall strictly "
                             "from L1 to L4 (like friction: lower is smoother)")

    def solution_value(self, level: SolutionLevel | str) -> float:
        return float(self.level_scores[SolutionLevel(level)])

    def service_value(self, level: SolutionLevel | str, proactivity: float) -> float:
        """サービス価値 = 課題解決価値 × プロアクティブ度 (higher is better)."""
        return self.solution_value(level) * check_proactivity(proactivity)

    def coefficient(self, repeatability: Repeatability | str) -> float:
        return float(self.repeatability_coefficients[Repeatability(repeatability)])

    def delivery_value(self, lead_time_hours: float, repeatability: Repeatability | str) -> float:
        """デリバリ価値 = 納期 (hours) × 摩擦係数. A SMALLER figure means a higher delivery value."""
        t = _finite("lead_time", lead_time_hours, "0 – ∞ (hours)")
        if t < 0:
            raise ValueError(f"lead_time {lead_time_hours!r} is outside the allowed range 0 – ∞ (hours)")
        return t * self.coefficient(repeatability)

    def evaluate(self, task: Task) -> dict[str, Any]:
        """The numbers the workbook shows beside one task."""
        return {
            "solution_value": self.solution_value(task.level),
            "service_value": self.service_value(task.level, task.proactivity),
            "proactivity_class": classify_proactivity(task.proactivity),
            "lead_time_hours": task.lead_time_hours,
            "delivery_value": self.delivery_value(task.lead_time_hours, task.repeatability),
        }

    def conventions(self) -> dict[str, Any]:
        """Everything a reader needs to interpret the numbers (for `opsvalue-lab model`)."""
        return {
            "service_value": "課題解決価値 × プロアクティブ度 (higher is better)",
            "delivery_value": "納期[hours] × 摩擦係数 (friction): a smaller figure means a higher delivery value",
            "levels": [{"key": lv.value, **LEVEL_LABELS[lv], "score": self.solution_value(lv),
                        "description": LEVEL_DESCRIPTIONS[lv]} for lv in SolutionLevel],
            "proactivity": {"min": PROACTIVITY_MIN, "max": PROACTIVITY_MAX, "boundary": PROACTIVITY_BOUNDARY,
                            "reactive": list(REACTIVE_RANGE), "proactive": list(PROACTIVE_RANGE)},
            "repeatability": [{"key": r.value, **REPEATABILITY_LABELS[r], "coefficient": self.coefficient(r),
                               "description": REPEATABILITY_DESCRIPTIONS[r]} for r in Repeatability],
            "lead_time_units": dict(LEAD_TIME_UNITS),
            "availability": list(AVAILABILITY_KINDS),
            "reference_activities": [
                {"key": a.key, **a.label, "level": a.level.value, "proactivity": a.proactivity,
                 "service_value": self.service_value(a.level, a.proactivity)} for a in self.reference_activities],
        }


DEFAULT_MODEL = ValueModel()

# The trainee's tasks live in model_tasks.py; their names are part of this module's interface.
from .model_tasks import Task as Task  # noqa: E402
from .model_tasks import TraineePoints as TraineePoints  # noqa: E402
from .model_tasks import is_saved_task as is_saved_task  # noqa: E402
from .model_tasks import tasks_from_data as tasks_from_data  # noqa: E402
