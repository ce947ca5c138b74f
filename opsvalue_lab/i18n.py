"""Bilingual text: everything shown exists in ja and en; any language other than "en" reads Japanese."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def choose(lang: str, ja: str, en: str) -> str:
    """The text for *lang* from its two versions."""
    return en if lang == "en" else ja


def pick(entry: Mapping[str, str] | Sequence[str], lang: str) -> str:
    """One table entry, written either as {"ja": …, "en": …} or as (ja, en)."""
    if isinstance(entry, Mapping):
        return entry["en" if lang == "en" else "ja"]
    return choose(lang, entry[0], entry[1])


def lookup(table: Mapping[str, Any], key: str, lang: str) -> str:
    """``pick(table[key], lang)``: a UI string by key."""
    return pick(table[key], lang)
