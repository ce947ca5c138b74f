"""Renames across catalogue versions (exercises/migrations.toml), applied on read. Pure: no writes.

Format (docs/FORMATS.md)::

    [ids]                    # old exercise or quiz id = new id (chains a -> b -> c are followed)
    "pre-2" = "pre-2.1"
    [fields."review-1"]      # per (new) exercise id: old field key = new field key
    why = "purpose"
    [options."change-before"]  # per (new) exercise id: old option key = new option key
    never = "never_personally"
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue_types import CatalogueError

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_ID = re.compile(r"^[a-z][a-z0-9.\-]*$")


@dataclass(frozen=True)
class Migrations:
    """Old id -> new id, and per new exercise id old field/option key -> new key."""

    ids: Mapping[str, str] = field(default_factory=dict)
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.ids or self.fields or self.options)

    def new_id(self, old: str) -> str:
        """The current id of *old* (itself when never renamed)."""
        seen, cur = {old}, old
        while cur in self.ids:
            cur = self.ids[cur]
            if cur in seen:  # the loader refuses cycles; never loop on a hand-made instance
                break
            seen.add(cur)
        return cur

    def old_ids(self, new: str) -> tuple[str, ...]:
        """Every earlier id that now reads as *new* (for stores written under an older catalogue)."""
        return tuple(sorted(o for o in self.ids if self.new_id(o) == new and o != new))

    def apply(self, exercise_id: str, value: Any) -> tuple[str, Any]:
        """(current id, value with renamed field/option keys). Values it does not know stay as they are."""
        eid = self.new_id(exercise_id)
        fmap, omap = self.fields.get(eid, {}), self.options.get(eid, {})
        if fmap and isinstance(value, dict):
            out: dict[str, Any] = {}
            for k, v in value.items():
                nk = fmap.get(k, k)
                if nk in out and k == nk:  # a value under the new key wins over one under the old key
                    out[nk] = v
                else:
                    out.setdefault(nk, v)
            value = out
        elif omap and isinstance(value, str):
            value = omap.get(value, value)
        return eid, value


EMPTY = Migrations()


def merge(*parts: tuple[Path, dict[str, Any]]) -> tuple[Migrations, dict[str, Path]]:
    """One Migrations from several files' raw data (later files win); also which file set each entry."""
    ids: dict[str, str] = {}
    fields: dict[str, dict[str, str]] = {}
    options: dict[str, dict[str, str]] = {}
    origin: dict[str, Path] = {}
    for path, data in parts:
        for k in data:
            if k not in ("ids", "fields", "options"):
                raise CatalogueError(path, "-", k, "unknown table (allowed: ids, fields, options)")
        raw_ids = data.get("ids", {})
        if not isinstance(raw_ids, Mapping):
            raise CatalogueError(path, "-", "ids", "must be a table of old id = new id")
        for old, new in raw_ids.items():
            for x in (old, new):
                if not isinstance(x, str) or not _ID.match(x):
                    raise CatalogueError(path, "ids", str(old), f"{x!r} is not an id ([a-z][a-z0-9.-]*)")
            ids[old] = new
            origin[f"ids.{old}"] = path
        for table, into in (("fields", fields), ("options", options)):
            raw = data.get(table, {})
            if not isinstance(raw, Mapping):
                raise CatalogueError(path, "-", table, "must be a table of tables")
            for eid, renames in raw.items():
                if not isinstance(renames, Mapping):
                    raise CatalogueError(path, table, str(eid), "must be a table of old key = new key")
                for old, new in renames.items():
                    for x in (old, new):
                        if not isinstance(x, str) or not _KEY.match(x):
                            raise CatalogueError(path, f"{table}.{eid}", str(old),
                                                 f"{x!r} is not a key ([a-z][a-z0-9_]*)")
                    into.setdefault(eid, {})[old] = new
                    origin[f"{table}.{eid}"] = path
    return Migrations(ids, fields, options), origin


def check(m: Migrations, origin: dict[str, Path], known_ids: set[str],
          field_keys: Mapping[str, tuple[str, ...]], option_keys: Mapping[str, tuple[str, ...]]) -> None:
    """Every rename must lead to something the catalogue has; CatalogueError names the file and key."""
    for old in m.ids:
        seen, cur = {old}, old
        while cur in m.ids:
            cur = m.ids[cur]
            if cur in seen:
                raise CatalogueError(origin[f"ids.{old}"], "ids", old, "renames go round in a circle")
            seen.add(cur)
        if cur not in known_ids:
            raise CatalogueError(origin[f"ids.{old}"], "ids", old,
                                 f"leads to {cur!r}, which is not an exercise or quiz id of the catalogue")
    for table, keys in (("fields", field_keys), ("options", option_keys)):
        for eid, renames in getattr(m, table).items():
            path = origin[f"{table}.{eid}"]
            if eid not in keys:
                raise CatalogueError(path, table, eid, f"no exercise {eid!r} with {table} in the catalogue")
            for old, new in renames.items():
                if new not in keys[eid]:
                    raise CatalogueError(path, f"{table}.{eid}", old,
                                         f"{new!r} is not one of {', '.join(keys[eid])}")
