"""Bilingual text: everything shown exists in ja and en; any language other than "en" reads Japanese.

The strings of the views live in ``exercises/ui.toml`` (one ``[section]`` per view, each key a
``{ ja = "…", en = "…" }`` pair), so that a translator edits them without Python. ``[terms]`` holds
the words every view shares (the three timings, before/after).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import toml_cache

UI_FILE = "ui.toml"
LANGS = ("ja", "en")


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


def ui_path() -> Path:
    from .catalogue import default_dir  # exercises/ in the source tree, shipped inside the wheel
    return default_dir() / UI_FILE


@lru_cache(maxsize=4)
def load_ui(path: Path | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Every section of ui.toml, checked: each key has a non-empty ja and en text and nothing else.

    A mistake raises CatalogueError naming the file, the section.key and what is wrong.
    """
    from .catalogue import CatalogueError
    p = path or ui_path()
    try:
        data = toml_cache.loads(p.read_bytes())
    except (OSError, ValueError) as e:  # ValueError: not UTF-8, or tomllib.TOMLDecodeError
        raise CatalogueError(p, "-", "-", f"cannot be read: {e}") from None
    out: dict[str, dict[str, dict[str, str]]] = {}
    for section, table in data.items():
        if not isinstance(table, dict):
            raise CatalogueError(p, section, "-", "must be a [section] of key = { ja = …, en = … } lines")
        for key, entry in table.items():
            where = f"{section}.{key}"
            if not isinstance(entry, dict) or set(entry) != set(LANGS):
                raise CatalogueError(p, where, "-", "needs exactly ja and en: key = { ja = \"…\", en = \"…\" }")
            for lang in LANGS:
                if not isinstance(entry[lang], str) or not entry[lang].strip():
                    raise CatalogueError(p, where, lang, "must be a non-empty text")
        out[section] = table
    return out


def ui_table(section: str) -> dict[str, dict[str, str]]:
    """One view's strings, {key: {"ja": …, "en": …}}, from ui.toml."""
    try:
        return load_ui()[section]
    except KeyError:
        raise KeyError(f"{ui_path()}: no [{section}] section") from None


def term(key: str, lang: str) -> str:
    """A word every view shares (``[terms]``: before, in_class, after, before_work, …, pre, post)."""
    return lookup(ui_table("terms"), key, lang)
