"""Parsing an exchange file's bytes into its document (`jsonfile.load` does the rest: format, schema
version, checksum). Two roads to the same document:

- the definition (`plain_doc`): strict UTF-8 → ``json.loads`` (NaN and Infinity refused; nesting past
  the interpreter's recursion limit is an error, not a crash) → nesting depth measured on the parsed
  document (an iterative walk). A text that is not JSON is scanned for its bracket depth, so a
  hostile ``[[[[…`` is named as too deep.
- the fast road (`fast_doc`), which most files take: msgspec parses against a type that admits JSON
  nested at most MAX_DEPTH deep, and steps aside wherever it would differ from the definition.

`no_duplicate_keys` proves that no object repeats a key. Errors are raised through *err*
(``err(file name, field or None, problem)``), the caller's error class.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import msgspec

MAX_DEPTH = 10  # a legitimate submission nests 8 levels deep at most
COMMON_DEPTH = 8  # what the workbook writes: the fast decoder tried first
HEX64 = re.compile(r"[0-9a-f]{64}")
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
_COLON_ESCAPE = re.compile(rb"\\u003[aA]")
Err = Callable[[str, "str | None", str], Exception]


def depth_ok(text: str) -> bool:
    """Bracket depth of a text that is not (yet) known to be JSON, strings skipped."""
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return False
    return True


def doc_depth_ok(doc: Any) -> bool:
    """Nesting depth of a parsed document ≤ MAX_DEPTH (the top level is 1); iterative."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        obj, depth = pop()
        if depth > MAX_DEPTH:
            return False
        for v in (obj.values() if type(obj) is dict else obj):
            if type(v) is dict or type(v) is list:
                push((v, depth + 1))
    return True


def no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses a repeated key (the definition of "no duplicate keys")."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _ladder(depth: int) -> Any:
    """The type of JSON nested at most *depth* deep (scalars are depth 0)."""
    scalar: Any = str | int | float | bool | None
    t: Any = scalar
    for _ in range(depth):
        t = scalar | list[t] | dict[str, t]
    return t


@functools.cache
def fast_decoder(depth: int = COMMON_DEPTH) -> Callable[[bytes], dict[str, Any]]:
    """msgspec's decoder for a JSON object nested at most *depth* deep. Built on first use, or before
    forking workers that read many files: its type has two branches per level, so each level doubles
    the time to build it (COMMON_DEPTH about 1 ms, MAX_DEPTH about 5 ms)."""
    return msgspec.json.Decoder(dict[str, _ladder(depth - 1)]).decode  # type: ignore[misc]


def fast_doc(data: bytes) -> dict[str, Any] | None:
    """The common case at C speed: msgspec parses, refuses anything nested deeper than COMMON_DEPTH
    (then MAX_DEPTH: that decoder is built only for a file that needs it), and where it accepts, it
    yields what json.loads yields. Where it refuses (bad JSON, 1e400, a lone surrogate, too deep), or
    a \\u escape could hide a surrogate or a colon, this is None and `plain_doc` decides and names the
    problem."""
    if b"\\u" in data:
        return None
    for depth in (COMMON_DEPTH, MAX_DEPTH):
        try:
            return fast_decoder(depth)(data)
        except msgspec.MsgspecError:
            continue
    return None


def plain_doc(data: bytes, name: str, err: Err) -> tuple[dict[str, Any], str]:
    """The top-level object and the text, by the definition."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise err(name, None, f"is not UTF-8 text (byte {e.start})") from None
    try:
        doc = json.loads(text, parse_constant=bad_constant)
    except (ValueError, RecursionError) as e:
        if not depth_ok(text):
            raise err(name, None, f"is nested deeper than {MAX_DEPTH} levels") from None
        raise err(name, None, f"is not valid JSON ({e})") from None
    if not doc_depth_ok(doc):
        raise err(name, None, f"is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(doc, dict):
        raise err(name, None, f"must hold a JSON object, not {type(doc).__name__}")
    return doc, text


def no_duplicate_keys(data: bytes, doc: dict[str, Any], body: bytes, err: Err, name: str,
                      escapes: bool = True) -> None:
    """No object in *data* repeats a key. Fast proof: outside strings every ':' separates one
    key/value pair, and colons inside strings survive parsing and the canonical text unchanged, so
    without a repeated key *data* has exactly one ':' more (the sha256 entry) than *body*, the
    canonical text of the rest. That holds only when no \\u003a escape hides a colon (*escapes* is
    False when the text holds no \\u escape at all) and the digest is a plain hex string; otherwise,
    or when the counts differ, the text is parsed again key by key and a repeated key is named."""
    digest = doc.get("sha256")
    if (isinstance(digest, str) and HEX64.fullmatch(digest) and not (escapes and _COLON_ESCAPE.search(data))
            and data.count(b":") == body.count(b":") + 1):
        return
    try:
        json.loads(data, object_pairs_hook=no_dupes, parse_constant=bad_constant)
    except (ValueError, RecursionError) as e:
        raise err(name, None, f"is not valid JSON ({e})") from None
