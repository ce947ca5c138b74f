"""Signed JSON exchange files (submissions, feedback): safe reading, checksums, atomic writing.

Reading never evaluates anything: bytes → size check → strict UTF-8 → ``json.loads`` (duplicate
keys, NaN and Infinity rejected; nesting past the interpreter's recursion limit is an error, not a
crash) → nesting depth checked on the parsed document (an iterative walk, no recursion) → every
string checked to be real Unicode → format name, schema version and SHA-256 checked. A text that is
not JSON is also scanned for its bracket depth, so a hostile ``[[[[…`` is named as too deep. Most
files take a faster road to the same document: msgspec parses them against a type that admits JSON
nested at most MAX_DEPTH deep, and steps aside (to ``json.loads``) wherever it would differ.

The checksum is SHA-256 over the canonical JSON (sorted keys, compact separators, non-ASCII kept,
UTF-8) of the whole document except its ``"sha256"`` entry.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import msgspec

from .errors import OpsValueError
from .store_values import canonical

MAX_BYTES = 5 * 1024 * 1024  # 5 MiB: a full workbook with long answers is ~1 MB; more is hostile
MAX_DEPTH = 10               # a legitimate submission nests 8 levels deep at most
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")
# text decoded from UTF-8 holds no surrogates; json.loads can only make one from a \uD800–\uDFFF escape
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_COLON_ESCAPE = re.compile(rb"\\u003[aA]")
_HEX64 = re.compile(r"[0-9a-f]{64}")
# canonical() at C speed: msgspec writes the same text except for some floats (1e16 as "1e16", not
# "1e+16"); when the digest does not match its text, canonical() itself decides (see load()).
_FAST_CANONICAL = msgspec.json.Encoder(order="sorted").encode


class FileFormatError(OpsValueError):
    """An exchange file is unusable. ``file`` names it, ``field`` the offending entry (or None)."""

    def __init__(self, file: str | Path, field: str | None = None, problem: str = "") -> None:
        self.file, self.field = str(file), field
        super().__init__(": ".join([self.file] + ([field] if field else []) + ([problem] if problem else [])))


def checksum(doc: dict[str, Any]) -> str:
    """SHA-256 hex digest of *doc* without its "sha256" entry."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def signed(doc: dict[str, Any]) -> dict[str, Any]:
    """A copy of *doc* with "sha256" set (last)."""
    body = {k: v for k, v in doc.items() if k != "sha256"}
    return {**body, "sha256": checksum(body)}


def dump(doc: dict[str, Any]) -> bytes:
    """The file bytes of a signed document: readable, indented UTF-8 JSON."""
    return (json.dumps(signed(doc), ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode("utf-8")


def _depth_ok(text: str) -> bool:
    """Bracket depth of a text that is not (yet) known to be JSON, strings skipped."""
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return False
    return True


def _doc_depth_ok(doc: Any) -> bool:
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


def _no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _check_strings(doc: Any, err: type[FileFormatError], name: str) -> None:
    """Every key and string must be encodable as UTF-8 (no lone surrogates); iterative walk."""
    stack: list[tuple[str, Any]] = [("", doc)]
    while stack:
        where, obj = stack.pop()
        items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
        for k, v in items:
            sub = f"{where}.{k}" if isinstance(k, str) else f"{where}[{k}]"
            for s in ((k, v) if isinstance(k, str) else (v,)):
                if isinstance(s, str):
                    try:
                        s.encode("utf-8")
                    except UnicodeEncodeError:
                        raise err(name, sub.lstrip("."), "contains a lone surrogate (not a character)") from None
            if isinstance(v, (dict, list)):
                stack.append((sub, v))


def _ladder(depth: int) -> Any:
    """The type of JSON nested at most *depth* deep (scalars are depth 0)."""
    scalar: Any = str | int | float | bool | None
    t: Any = scalar
    for _ in range(depth):
        t = scalar | list[t] | dict[str, t]
    return t


@functools.cache
def fast_decoder() -> Callable[[bytes], dict[str, Any]]:
    """msgspec's decoder for a JSON object nested at most MAX_DEPTH deep. Built on first use (about
    5 ms: the type has two branches per level), or before forking workers that read many files."""
    return msgspec.json.Decoder(dict[str, _ladder(MAX_DEPTH - 1)]).decode  # type: ignore[misc]


def _fast_doc(data: bytes) -> dict[str, Any] | None:
    """The common case at C speed: msgspec parses, refuses anything nested deeper than MAX_DEPTH, and
    where it accepts, it yields what json.loads yields. Where it refuses (bad JSON, 1e400, a lone
    surrogate, too deep), or a \\u escape could hide a surrogate or a colon, this is None and the
    plain path decides and names the problem."""
    if b"\\u" in data:
        return None
    try:
        return fast_decoder()(data)
    except msgspec.MsgspecError:
        return None


def _plain_doc(data: bytes, name: str, err: type[FileFormatError]) -> tuple[dict[str, Any], str]:
    """The top-level object and the text, by the definition: strict UTF-8, ``json.loads`` with NaN
    and Infinity refused, the depth measured on the parsed document (or scanned, if it is not JSON)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise err(name, None, f"is not UTF-8 text (byte {e.start})") from None
    try:
        doc = json.loads(text, parse_constant=_bad_constant)
    except (ValueError, RecursionError) as e:
        if not _depth_ok(text):
            raise err(name, None, f"is nested deeper than {MAX_DEPTH} levels") from None
        raise err(name, None, f"is not valid JSON ({e})") from None
    if not _doc_depth_ok(doc):
        raise err(name, None, f"is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(doc, dict):
        raise err(name, None, f"must hold a JSON object, not {type(doc).__name__}")
    return doc, text


def load(data: bytes, name: str, fmt: str, versions: tuple[int, ...],
         err: type[FileFormatError]) -> dict[str, Any]:
    """The verified top-level object of an exchange file, or *err* naming the file and field."""
    if not isinstance(data, (bytes, bytearray)):
        raise err(name, None, "expected file contents as bytes")
    if len(data) > MAX_BYTES:
        raise err(name, None, f"is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes")
    data = bytes(data)
    text = ""  # the decoded text, when the plain path parsed it
    doc = _fast_doc(data)
    if doc is None:
        doc, text = _plain_doc(data, name, err)
    rest = {k: v for k, v in doc.items() if k != "sha256"}
    try:
        body = _FAST_CANONICAL(rest)  # the same text as canonical() for almost every file
    except (TypeError, ValueError, OverflowError):
        body = _canonical_bytes(rest, err, name)
    _no_duplicate_keys(data, doc, body, err, name, escapes=bool(text))
    if doc.get("format") != fmt:
        raise err(name, "format", f"{str(doc.get('format'))[:80]!r} is not {fmt!r}")
    sv = doc.get("schema_version")
    if isinstance(sv, bool) or sv not in versions:
        raise err(name, "schema_version", f"{str(sv)[:20]!r} is not supported (this version reads "
                                          f"{', '.join(map(str, versions))}); update opsvalue-lab")
    if text and _SURROGATE_ESCAPE.search(text):  # the walk is needed only when such an escape is present
        _check_strings(doc, err, name)
    digest = doc.get("sha256")
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise err(name, "sha256", "missing or not a SHA-256 hex digest")
    if hashlib.sha256(body).hexdigest() != digest and (  # where msgspec writes a number differently:
            hashlib.sha256(_canonical_bytes(rest, err, name)).hexdigest() != digest):  # the definition decides
        raise err(name, "sha256", "checksum mismatch: the file was changed or damaged after it was written")
    return doc


def _canonical_bytes(rest: dict[str, Any], err: type[FileFormatError], name: str) -> bytes:
    try:
        text = canonical(rest)
    except ValueError:  # json.loads makes inf of 1e400; JSON cannot carry it
        raise err(name, None, "holds a number too large for JSON") from None
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate is named by _check_strings first


def _no_duplicate_keys(data: bytes, doc: dict[str, Any], body: bytes, err: type[FileFormatError],
                       name: str, escapes: bool = True) -> None:
    """No object in *data* repeats a key. Fast proof: outside strings every ':' separates one
    key/value pair, and colons inside strings survive parsing and the canonical text unchanged, so
    without a repeated key *data* has exactly one ':' more (the sha256 entry) than *body*, the
    canonical text of the rest. That holds only when no \\u003a escape hides a colon (*escapes* is
    False when the text holds no \\u escape at all) and the digest is a plain hex string; otherwise,
    or when the counts differ, the text is parsed again key by key and a repeated key is named."""
    digest = doc.get("sha256")
    if (isinstance(digest, str) and _HEX64.fullmatch(digest) and not (escapes and _COLON_ESCAPE.search(data))
            and data.count(b":") == body.count(b":") + 1):
        return
    try:
        json.loads(data, object_pairs_hook=_no_dupes, parse_constant=_bad_constant)
    except (ValueError, RecursionError) as e:
        raise err(name, None, f"is not valid JSON ({e})") from None


def read_bounded(fh: Any, limit: int = MAX_BYTES, size_hint: int = 0) -> bytes:
    """At most *limit* + 1 bytes from *fh* (so a caller sees "too big" without reading it all), read
    in pieces sized from *size_hint* (a stat size): no limit-sized buffer is allocated up front."""
    chunks: list[bytes] = []
    n, want = 0, min(max(size_hint, 0), limit) + 1
    while n <= limit:
        b = fh.read(min(want, limit + 1 - n))
        if not b:
            break
        chunks.append(b)
        n, want = n + len(b), 1 << 16
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_bytes(path: str | Path, err: type[FileFormatError]) -> bytes:
    """At most MAX_BYTES + 1 bytes of *path* (a bigger file is never read whole)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return read_bounded(fh, MAX_BYTES, os.fstat(fh.fileno()).st_size)
    except FileNotFoundError:
        raise err(p, None, "file not found") from None
    except IsADirectoryError:
        raise err(p, None, "is a folder, not a file") from None
    except OSError as e:
        raise err(p, None, f"could not be read ({e.strerror or e})") from None


def umask() -> int:
    """The process umask, read without changing it where Linux allows (/proc), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def atomic_write(path: str | Path, data: bytes | Iterable[bytes], *, force: bool,
                 err: type[FileFormatError]) -> Path:
    """Write *data* (bytes, or chunks of bytes written as they come) to a temp file beside *path*,
    fsync, then move it into place.

    The file gets the permissions any new file gets (0666 less the umask; a replaced file keeps its
    own), so an instructor reading a shared folder can open it: mkstemp alone would make it 0600.
    Readers never see a half-written file. Without *force* an existing file is never replaced
    (checked atomically where the file system supports hard links).
    """
    p = Path(path)
    exists_msg = "already exists; use --force (force=True) to overwrite it"
    if p.is_dir():
        raise err(p, None, "is a folder; give a file name")
    if p.exists() and not force:
        raise err(p, None, exists_msg)
    import tempfile  # here: reading exchange files (collect, the hub) never needs it

    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent if str(p.parent) else ".", prefix=f".{p.name}.", suffix=".tmp")
        try:
            mode = p.stat().st_mode & 0o7777 if force and p.is_file() else 0o666 & ~umask()
        except OSError:
            mode = 0o666 & ~umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray)):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, p)
        else:
            try:
                os.link(tmp, p)
            except FileExistsError:
                raise err(p, None, exists_msg) from None
            except OSError:  # no hard links here (FAT, some network shares)
                if p.exists():
                    raise err(p, None, exists_msg) from None
                os.replace(tmp, p)
        _fsync_dir(p.parent)
    except OSError as e:
        raise err(p, None, f"could not be written ({e.strerror or e}); nothing was lost from the "
                           "workspace") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return p


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
