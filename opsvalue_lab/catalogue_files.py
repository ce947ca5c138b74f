"""Reading content files: one validating reader per file, and the shipped files with a cohort
overlay on top (docs/FORMATS.md, "Cohort overlays"). Pure: reads files, writes none."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import toml_cache
from .catalogue_types import LANGS, CatalogueError, Choice, Text

ENV = "OPSVALUE_CATALOGUE"  # a cohort overlay folder honoured by every process (CLI, kernels, hub)
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class Reader:
    """Validation helpers bound to one file; for an entry a cohort overlay changed, an error in a key
    the overlay set names the overlay file."""

    def __init__(self, path: Path, over: Path | None = None, over_keys: Iterable[str] = ()) -> None:
        self.path, self.over, self.over_keys = path, over, set(over_keys)

    def fail(self, entry: str, key: str, message: str) -> CatalogueError:
        head = re.split(r"[.\[]", key, maxsplit=1)[0]
        use = self.over if self.over is not None and head in self.over_keys else self.path
        return CatalogueError(use, entry, key, message)

    def keys(self, entry: str, data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str] = ()) -> None:
        req, opt = set(required), set(optional)
        for k in data:
            if k not in req | opt:
                raise self.fail(entry, k, f"unknown key (allowed: {', '.join(sorted(req | opt))})")
        for k in sorted(req):
            if k not in data:
                raise self.fail(entry, k, "missing")

    def text(self, entry: str, key: str, value: Any) -> Text:
        if not isinstance(value, Mapping):
            raise self.fail(entry, key, "must be a table with 'ja' and 'en'")
        for k in value:
            if k not in LANGS:
                raise self.fail(entry, f"{key}.{k}", "unknown language (allowed: ja, en)")
        for lang in LANGS:
            v = value.get(lang)
            if not isinstance(v, str) or not v.strip():
                raise self.fail(entry, f"{key}.{lang}", "missing or empty text")
        return Text(ja=value["ja"], en=value["en"])

    def opt_text(self, entry: str, key: str, data: Mapping[str, Any]) -> Text | None:
        return self.text(entry, key, data[key]) if key in data else None

    def choices(self, entry: str, key: str, items: Any) -> tuple[Choice, ...]:
        if not isinstance(items, list) or not items:
            raise self.fail(entry, key, "must be a non-empty list")
        out, seen = [], set()
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, Mapping):
                raise self.fail(entry, where, "must be a table")
            self.keys(entry, item, ("key", "label"))
            k = item["key"]
            if not isinstance(k, str) or not _KEY.match(k):
                raise self.fail(entry, f"{where}.key", f"{k!r} is not a valid key ([a-z][a-z0-9_]*)")
            if k in seen:
                raise self.fail(entry, f"{where}.key", f"duplicate key {k!r}")
            seen.add(k)
            out.append(Choice(k, self.text(entry, f"{where}.label", item["label"])))
        return tuple(out)

    def load(self) -> dict[str, Any]:
        try:
            return toml_cache.loads(self.path.read_bytes())
        except FileNotFoundError:
            raise self.fail("-", "-", "file not found") from None
        except UnicodeDecodeError as e:
            raise self.fail("-", "-", f"not UTF-8: {e}") from None
        except ValueError as e:  # tomllib.TOMLDecodeError (tomllib is imported only to parse)
            raise self.fail("-", "-", f"not valid TOML: {e}") from None


def overlay_parts(overlay: Path | str) -> tuple[Path, Path | None]:
    """(folder of the overlay's exercise files, its notebooks/src folder or None) of a cohort overlay.

    The overlay is laid out like the repository: ``DIR/exercises/*.toml`` and ``DIR/notebooks/src/``."""
    d = Path(overlay).expanduser()
    if not d.is_dir():
        raise CatalogueError(d, "-", ENV, "the cohort overlay folder does not exist")
    ex = d / "exercises" if (d / "exercises").is_dir() else d
    src = d / "notebooks" / "src"
    return ex, (src if src.is_dir() else None)


class Layers:
    """The shipped files with a cohort overlay on top: an overlay entry with a new id adds, one with
    a known id replaces the keys it sets, ``hide = [ids]`` hides; guide.toml replaces, model.toml replaces
    table by table (catalogue._model)."""

    def __init__(self, base: Path, over: Path | None, tag: str = "") -> None:
        self.base, self.over = base, over
        self._hidden: dict[str, set[str]] = {}
        data = Reader(base / "sections.toml").load()
        Reader(base / "sections.toml").keys("-", data, ("version", "section"))
        self.version = data["version"]
        if not isinstance(self.version, str) or not self.version:
            raise Reader(base / "sections.toml").fail("-", "version", "must be a non-empty string")
        if over is not None and (over / "sections.toml").exists():
            od = Reader(over / "sections.toml").load()
            v = od.get("version")
            if v is not None and (not isinstance(v, str) or not v):
                raise Reader(over / "sections.toml").fail("-", "version", "must be a non-empty string")
            self.version = v or f"{self.version}+{tag}"
        elif over is not None:
            self.version = f"{self.version}+{tag}"

    def path(self, name: str) -> Path | None:
        """The file that holds *name*: the overlay's when it has one (whole-file replacement)."""
        for d in (self.over, self.base):
            if d is not None and (d / name).exists():
                return d / name
        return None

    def hidden(self, name: str) -> set[str]:
        return self._hidden.get(name, set())

    def entries(self, name: str, table: str, *, required: bool = False) -> list[tuple[Reader, dict[str, Any]]]:
        """The merged raw entries of *table*, each with the reader that names the right file."""
        bpath = self.base / name
        if not bpath.exists() and not required:
            base: dict[str, Any] = {table: []}
        else:
            r = Reader(bpath)
            base = r.load()
            r.keys("-", base, (table,), ("version",) if table == "section" else ())
        rows = base[table]
        if not isinstance(rows, list):
            raise Reader(bpath).fail("-", table, "must be a list of tables")
        out: list[tuple[Reader, dict[str, Any]]] = []
        index: dict[Any, int] = {}
        for i, e in enumerate(rows):
            r = Reader(bpath)
            if not isinstance(e, Mapping):
                raise r.fail(f"{table}[{i}]", "-", "must be a table")
            if e.get("id") in index:
                raise r.fail(str(e.get("id")), "id", "duplicate id")
            index[e.get("id")] = len(out)
            out.append((r, dict(e)))
        opath = self.over / name if self.over is not None else None
        if opath is None or not opath.exists():
            return out
        ro = Reader(opath)
        od = ro.load()
        allowed = ("version", table) if table == "section" else (table, "hide")
        ro.keys("-", od, (), allowed)
        hide = od.get("hide", [])
        if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
            raise ro.fail("-", "hide", "must be a list of ids")
        for h in hide:
            if h not in index:
                raise ro.fail("-", "hide", f"{h!r} is not an id of the shipped {name}")
        self._hidden[name] = set(hide)
        seen: set[Any] = set()
        for i, e in enumerate(od.get(table, [])):
            if not isinstance(e, Mapping) or "id" not in e:
                raise ro.fail(f"{table}[{i}]", "id", "missing (an overlay entry names the id it adds or replaces)")
            if e["id"] in seen:
                raise ro.fail(str(e["id"]), "id", "duplicate id in the overlay")
            seen.add(e["id"])
            if e["id"] in index:  # replace the keys it sets
                n = index[e["id"]]
                r0, raw = out[n]
                out[n] = (Reader(r0.path, opath, set(e) - {"id"}), {**raw, **e})
            else:
                index[e["id"]] = len(out)
                out.append((Reader(opath), dict(e)))
        return [x for x in out if x[1].get("id") not in self._hidden[name]]


