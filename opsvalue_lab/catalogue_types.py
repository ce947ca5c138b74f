"""The catalogue's data types (pure, immutable): sections, assignments, quizzes, bilingual text.

Loaded and validated by :mod:`opsvalue_lab.catalogue`, which re-exports every name here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .model import DEFAULT_MODEL, ValueModel

if TYPE_CHECKING:
    from .catalogue_migrations import Migrations

LANGS = ("ja", "en")
TIMINGS = ("before", "in_class", "after")
KINDS = ("text", "fields", "choice", "self_assessment")
QUIZ_TOPICS = ("solution_level", "proactivity", "repeatability", "visibility", "cost_cause", "flow")


class CatalogueError(ValueError):
    """A content file is invalid. Attributes: file, entry (id or index), key."""

    def __init__(self, file: Path | str, entry: str, key: str, message: str) -> None:
        self.file, self.entry, self.key = str(file), entry, key
        super().__init__(f"{file}: {entry}: key '{key}': {message}")


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.en if lang == "en" else self.ja

    def to_dict(self) -> dict[str, str]:
        return {"ja": self.ja, "en": self.en}


@dataclass(frozen=True)
class Section:
    id: int
    slug: str
    title: Text
    summary: Text


@dataclass(frozen=True)
class Choice:
    """A named field (multi-field answer) or option (choice answer)."""

    key: str
    label: Text


@dataclass(frozen=True)
class Assignment:
    id: str
    section: int
    timing: str
    kind: str
    title: Text
    prompt: Text
    guidance: Text
    example: Text | None
    reflection: Text | None
    pair: str | None
    fields: tuple[Choice, ...] = ()
    options: tuple[Choice, ...] = ()

    @cached_property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    @cached_property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)


@dataclass(frozen=True)
class QuizOption:
    text: Text
    correct: bool
    explanation: Text


@dataclass(frozen=True)
class Quiz:
    id: str
    section: int
    topic: str
    scenario: Text
    options: tuple[QuizOption, ...]

    @property
    def answer(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


@dataclass(frozen=True)
class Catalogue:
    version: str
    sections: tuple[Section, ...]
    assignments: tuple[Assignment, ...]
    quizzes: tuple[Quiz, ...]
    model: ValueModel = DEFAULT_MODEL
    self_study_steps: tuple[Text, ...] = ()  # exercises/guide.toml: the order of work without an instructor
    migrations: Migrations | None = None  # exercises/migrations.toml: renames applied on read
    overlay: str | None = None  # the cohort overlay folder on top of the shipped content, if any

    def migrate(self, exercise_id: str, value: object) -> tuple[str, object]:
        """(current id, value with renamed fields/options) of an answer saved under an older catalogue."""
        return self.migrations.apply(exercise_id, value) if self.migrations else (exercise_id, value)

    def old_ids(self, exercise_id: str) -> tuple[str, ...]:
        """Ids an older catalogue used for what is now *exercise_id*."""
        return self.migrations.old_ids(exercise_id) if self.migrations else ()

    @cached_property
    def assignments_by_id(self) -> dict[str, Assignment]:
        return {a.id: a for a in self.assignments}

    @cached_property
    def _quizzes_by_id(self) -> dict[str, Quiz]:
        return {q.id: q for q in self.quizzes}

    def pair_of(self, a: Assignment) -> tuple[str, str] | None:
        """(earlier id, later id) of an assignment paired with another (its ``pair``), else None."""
        other = self.assignments_by_id.get(a.pair) if a.pair else None
        if other is None:
            return None
        order = {"before": 0, "in_class": 1, "after": 2}
        return (a.id, other.id) if order[a.timing] <= order[other.timing] else (other.id, a.id)

    @cached_property
    def self_assessment_ids(self) -> tuple[str, str]:
        """(before id, after id) of the paired self-assessments: the one home of these ids."""
        for a in self.assignments:
            pair = self.pair_of(a) if a.kind == "self_assessment" else None
            if pair:
                return pair
        raise KeyError("the catalogue has no paired self-assessment (kind = self_assessment, pair = …)")

    def assignment(self, exercise_id: str) -> Assignment:
        a = self.assignments_by_id.get(exercise_id)
        if a is None:
            raise KeyError(f"unknown exercise id {exercise_id!r}")
        return a

    def quiz(self, quiz_id: str) -> Quiz:
        q = self._quizzes_by_id.get(quiz_id)
        if q is None:
            raise KeyError(f"unknown quiz id {quiz_id!r}")
        return q

    def section(self, section_id: int) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"unknown section {section_id!r}")

    def in_section(self, section_id: int) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.section == section_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.assignments)
