"""Signed JSON exchange files (submissions, feedback): safe reading, checksums, atomic writing.

Reading never evaluates anything: bytes → size check → the document (`json_parse`: strict UTF-8,
no duplicate keys, NaN or Infinity, nesting at most MAX_DEPTH deep, by ``json.loads`` or msgspec's
faster road to the same document) → every string checked to be real Unicode → format name, schema
version and SHA-256 checked.

The checksum is SHA-256 over the canonical JSON (sorted keys, compact separators, non-ASCII kept,
UTF-8) of the whole document except its ``"sha256"`` entry.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from .errors import OpsValueError
from .json_parse import HEX64, fast_doc, no_duplicate_keys, plain_doc
from .json_parse import MAX_DEPTH as MAX_DEPTH  # one home: json_parse; importers of jsonfile see it here
from .store_values import canonical

MAX_BYTES = 5 * 1024 * 1024  # 5 MiB: a full workbook with long answers is ~1 MB; more is hostile
# text decoded from UTF-8 holds no surrogates; json.loads can only make one from a \uD800–\uDFFF escape
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
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


def load(data: bytes, name: str, fmt: str, versions: tuple[int, ...],
         err: type[FileFormatError]) -> dict[str, Any]:
    """The verified top-level object of an exchange file, or *err* naming the file and field."""
    if not isinstance(data, (bytes, bytearray)):
        raise err(name, None, "expected file contents as bytes")
    if len(data) > MAX_BYTES:
        raise err(name, None, f"is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes")
    data = bytes(data)
    text = ""  # the decoded text, when the plain path parsed it
    doc = fast_doc(data)
    if doc is None:
        doc, text = plain_doc(data, name, err)
    rest = {k: v for k, v in doc.items() if k != "sha256"}
    try:
        body = _FAST_CANONICAL(rest)  # the same text as canonical() for almost every file
    except (TypeError, ValueError, OverflowError):
        body = _canonical_bytes(rest, err, name)
    no_duplicate_keys(data, doc, body, err, name, escapes=bool(text))
    if doc.get("format") != fmt:
        raise err(name, "format", f"{str(doc.get('format'))[:80]!r} is not {fmt!r}")
    sv = doc.get("schema_version")
    if isinstance(sv, bool) or sv not in versions:
        raise err(name, "schema_version", f"{str(sv)[:20]!r} is not supported (this version reads "
                                          f"{', '.join(map(str, versions))}); update opsvalue-lab")
    if text and _SURROGATE_ESCAPE.search(text):  # the walk is needed only when such an escape is present
        _check_strings(doc, err, name)
    digest = doc.get("sha256")
    if not isinstance(digest, str) or not HEX64.fullmatch(digest):
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
