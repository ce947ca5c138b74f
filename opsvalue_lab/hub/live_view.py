"""What the live pages show, as plain data (no tornado, no HTML): cards, counts, page words.

Trainee text stays plain text here; the templates (Jinja2 autoescape) and live.js (textContent,
never innerHTML) escape it. A card is keyed by an anonymous number (the first change number of that
trainee on the page), so nothing in an anonymous page or feed names anyone.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalogue import Assignment, Catalogue
from ..i18n import lookup, term, ui_table
from ..instructor.values import ui as value_ui
from ..instructor.values import value_lines
from ..store_values import is_answered
from .live_store import LiveRow, LiveStore

TIMINGS = ("in_class", "before", "after")  # the in-class works first: they are what is projected

UI = ui_table("live")  # exercises/ui.toml [live]: the translator edits the words there


def words(lang: str) -> dict[str, str]:
    """Every page word in one language (the templates and live.js read this)."""
    words = {k: lookup(UI, k, lang) for k in UI}
    words.update(pre=term("pre", lang), post=term("post", lang), missing=value_ui("missing", lang))
    return words


def page_ids(a: Assignment, cat: Catalogue) -> list[str]:
    """The exercises a page shows: the pre/post pair when the question has one, else itself."""
    pair = cat.pair_of(a)
    return list(pair) if pair else [a.id]


def _lines(a: Assignment, value: Any, lang: str) -> list[dict[str, str]]:
    """[{"label", "text"}]: one entry per field of a multi-field answer, else one per line."""
    if a.kind == "fields" and isinstance(value, dict):
        return [{"label": f.label(lang), "text": str(value.get(f.key) or "")}
                for f in a.fields if is_answered(value.get(f.key))]
    return [{"label": "", "text": line} for line in value_lines(a, value, lang)]


class Feed:
    """Cards of one exercise page, computed from the live store (and the collected course store for
    the pre side of a pair that was not mirrored live)."""

    def __init__(self, store: LiveStore, cat: Catalogue, exercise_id: str,
                 collected: Callable[[str], dict[str, Any]] | None = None) -> None:
        self.store, self.cat = store, cat
        self.a = cat.assignment(exercise_id)
        self.ids = page_ids(self.a, cat)
        self.paired = len(self.ids) == 2
        self.collected = collected  # exercise id -> {user: value} from submissions (pre side)

    def snapshot(self, lang: str, since: int = 0, names: bool = False) -> dict[str, Any]:
        """{"seq", "cards" changed after *since*, "pinned", "answered", "hidden"} (JSON-ready)."""
        seq = self.store.seq  # read first: a change during this call is sent again next time
        changed = self.store.rows(self.ids, since)
        order = self.store.order(self.ids)
        rank = {u: i + 1 for i, (u, _k) in enumerate(sorted(order.items(), key=lambda kv: kv[1]))}
        users = sorted({r.user for r in changed}, key=lambda u: order[u])
        rows = self.store.of_users(self.ids, users)
        by: dict[str, dict[str, LiveRow]] = {}
        for r in rows:
            by.setdefault(r.user, {})[r.exercise_id] = r
        pre_collected = self.collected(self.ids[0]) if self.paired and self.collected and users else {}
        pinned = self.store.pinned(self.a.id)
        cards = [self._card(u, by.get(u, {}), order[u], rank[u], lang, names, pinned, pre_collected)
                 for u in users]
        values = self.store.values(self.a.id)
        return {"seq": seq, "cards": cards, "pinned": order.get(pinned) if pinned else None,
                "answered": sum(1 for v in values.values() if is_answered(v))}

    def _card(self, user: str, mine: dict[str, LiveRow], key: int, rank: int, lang: str, names: bool,
              pinned: str | None, pre_collected: dict[str, Any]) -> dict[str, Any]:
        own = mine.get(self.a.id)
        card: dict[str, Any] = {"key": key, "label": f"#{rank}", "hidden": bool(own and own.hidden),
                                "pinned": pinned == user, "saved_at": own.saved_at if own else ""}
        if names:
            card["name"] = user
        if self.paired:
            sides = []
            for ex in self.ids:
                r = mine.get(ex)
                value = r.value if r else (pre_collected.get(user) if ex == self.ids[0] else None)
                sides.append(_lines(self.cat.assignment(ex), value, lang))
            card["pre"], card["post"] = sides
        else:
            card["lines"] = _lines(self.a, own.value if own else None, lang)
        if self.a.kind == "self_assessment":
            card["tasks"] = len(own.value) if own and isinstance(own.value, list) else 0
        return card

    def user_of(self, key: int) -> str | None:
        """The hub user behind an anonymous card key (for hide / pin)."""
        return next((u for u, k in self.store.order(self.ids).items() if k == key), None)


def index_groups(store: LiveStore, cat: Catalogue, lang: str) -> list[dict[str, Any]]:
    """[{"timing", "title", "items": [{"id", "title", "answered"}]}] in TIMINGS order."""
    groups = []
    for timing in TIMINGS:
        items = []
        for a in cat.assignments:
            if a.timing != timing:
                continue
            n = sum(1 for v in store.values(a.id).values() if is_answered(v))
            items.append({"id": a.id, "title": a.title(lang), "answered": n, "kind": a.kind})
        if items:
            groups.append({"timing": timing, "title": lookup(UI, f"timing_{timing}", lang), "items": items})
    return groups
