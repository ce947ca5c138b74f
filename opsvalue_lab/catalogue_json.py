"""The catalogue as plain JSON-ready data (both languages), for the CLI and submissions."""
from __future__ import annotations

from typing import Any

from .catalogue import Catalogue, Text


def _t(t: Text | None) -> dict[str, str] | None:
    return t.to_dict() if t is not None else None


def catalogue_to_json(cat: Catalogue) -> dict[str, Any]:
    return {
        "version": cat.version,
        "sections": [{"id": s.id, "slug": s.slug, "title": _t(s.title), "summary": _t(s.summary)}
                     for s in cat.sections],
        "assignments": [{
            "id": a.id, "section": a.section, "timing": a.timing, "kind": a.kind,
            "title": _t(a.title), "prompt": _t(a.prompt), "guidance": _t(a.guidance),
            "example": _t(a.example), "reflection": _t(a.reflection), "pair": a.pair,
            "fields": [{"key": f.key, "label": _t(f.label)} for f in a.fields],
            "options": [{"key": o.key, "label": _t(o.label)} for o in a.options],
        } for a in cat.assignments],
        "quizzes": [{
            "id": q.id, "section": q.section, "topic": q.topic, "scenario": _t(q.scenario),
            "options": [{"text": _t(o.text), "correct": o.correct, "explanation": _t(o.explanation)}
                        for o in q.options],
        } for q in cat.quizzes],
    }
