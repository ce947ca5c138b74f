"""The TOML parse cache: the same data as tomllib, keyed by the file's bytes, only the user's own
entries trusted, and a read-only or turned-off cache costs nothing but time."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from faults import read_only  # tests/faults.py

from opsvalue_lab import toml_cache
from opsvalue_lab.catalogue import default_dir, load_catalogue

PLAIN = '''
title = "運用の価値 — \\"引用\\" と改行\\nand emoji 🚀"
count = 3
big = 9007199254740993
ratio = 1.0
tiny = 1e-7
flag = true
list = [1, 2.5, "x", [true, false]]
[table]
inline = { a = "b", c = [ { d = 1 } ] }
[[entry]]
id = "pre-1"
[[entry]]
id = "pre-2"
'''


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("toml-*.json")) if folder.exists() else []


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(toml_cache.ENV, str(folder))
    return folder


def test_an_entry_holds_exactly_what_tomllib_parses_and_is_used_next_time(cache: Path) -> None:
    data = PLAIN.encode()
    first = toml_cache.loads(data)
    assert first == tomllib.loads(PLAIN) and len(entries(cache)) == 1
    second = toml_cache.loads(data)
    assert second == first and [type(v) for v in second.values()] == [type(v) for v in first.values()]
    assert type(second["ratio"]) is float and second["big"] == 9007199254740993
    entry = entries(cache)[0]
    assert entry.name == f"toml-{hashlib.sha256(data).hexdigest()}.json"
    assert entry.stat().st_mode & 0o077 == 0 and cache.stat().st_mode & 0o077 == 0
    entry.write_text('{"title": "from the cache"}')  # the user's own entry is trusted: it is what is read
    os.chmod(entry, 0o600)
    assert toml_cache.loads(data) == {"title": "from the cache"}


def test_an_edited_file_is_parsed_again(cache: Path) -> None:
    assert toml_cache.loads(b'x = "old"') == {"x": "old"}
    assert toml_cache.loads(b'x = "new"') == {"x": "new"}
    assert len(entries(cache)) == 2


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"x": ', b"\xff\xfe"])
def test_a_broken_entry_is_ignored_and_replaced(cache: Path, body: bytes) -> None:
    data = b'x = "real"'
    cache.mkdir(mode=0o700)
    entry = cache / f"toml-{hashlib.sha256(data).hexdigest()}.json"
    entry.write_bytes(body)
    os.chmod(entry, 0o600)
    assert toml_cache.loads(data) == {"x": "real"}
    assert toml_cache.loads(data) == {"x": "real"} and entry.read_bytes() == b'{"x":"real"}'


def test_an_entry_others_could_write_is_not_trusted(cache: Path) -> None:
    data = b"answer = 2"
    cache.mkdir(mode=0o700)
    entry = cache / f"toml-{hashlib.sha256(data).hexdigest()}.json"
    entry.write_text('{"answer": 3}')
    os.chmod(entry, 0o666)
    assert toml_cache.loads(data) == {"answer": 2}


def test_values_json_cannot_carry_are_not_cached(cache: Path) -> None:
    for text in ('when = 2026-11-30T09:00:00Z', "x = inf", "x = nan", "day = 2026-11-30"):
        assert toml_cache.loads(text.encode()).keys() == tomllib.loads(text).keys()
    assert entries(cache) == []


def test_a_read_only_cache_or_no_cache_only_costs_time(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.mkdir(mode=0o700)
    with read_only(cache):
        assert toml_cache.loads(PLAIN.encode()) == tomllib.loads(PLAIN)
    assert entries(cache) == [] and list(cache.iterdir()) == []  # no entry, no temp file left
    monkeypatch.setenv(toml_cache.ENV, "off")
    assert toml_cache.loads(PLAIN.encode()) == tomllib.loads(PLAIN)
    assert list(cache.iterdir()) == []


def test_a_broken_toml_file_is_still_named(cache: Path) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        toml_cache.loads(b"x = = 1")
    assert entries(cache) == []


def test_the_catalogue_from_the_cache_is_the_catalogue(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = load_catalogue(default_dir())
    assert len(entries(cache)) >= 5  # every file of the catalogue
    assert load_catalogue(default_dir()) == parsed  # now from the cache
    monkeypatch.setenv(toml_cache.ENV, "off")
    assert load_catalogue(default_dir()) == parsed


def test_a_process_that_finds_every_entry_cached_never_imports_tomllib(cache: Path) -> None:
    """The point of the cache: tomllib's import alone (it compiles its regular expressions) costs
    more than reading every entry, so a start with a warm cache must not pay it."""
    probe = ("import sys; from opsvalue_lab.catalogue import catalogue; from opsvalue_lab.i18n import load_ui; "
             "catalogue(); load_ui(); print('tomllib' in sys.modules)")
    env = {**os.environ, toml_cache.ENV: str(cache)}
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["True"]  # an empty cache: parsed, and the entries written
    again = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert again.stdout.split() == ["False"]
