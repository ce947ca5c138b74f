"""What the `opsvalue` service does with data, without any HTTP: the same code as `collect`.

Layout under the service's data directory (OPSVALUE_DATA_DIR):

    course/course.sqlite3                     the course store (instructor.course.Course, as collect)
    received/<user>/<sha256>.opsvalue.json    every submission exactly as filed (for collect --hub)

A submission is validated by `submission.parse_submission` and filed by `collect.Collector.take`.
The trainee is the HUB USER: a profile claiming another id is rewritten (profile.trainee_id = the
hub user, checksum renewed) before it is filed, and the answer says what was claimed.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import submission as sub
from ..feedback import feedback_bytes
from ..instructor.collect import MAX_FILE_BYTES, Collector
from ..instructor.course import Course, now_iso
from ..instructor.report import build, render_html
from ..jsonfile import dump
from ..store_values import check_comment


def _write_copy(path: Path, data: bytes) -> None:
    """The received/ copy: whole or absent (temp file, then rename). Not fsynced: it is as durable
    as the course store itself (SQLite WAL, synchronous=NORMAL), which survives a crash of the
    service; two fsyncs per submission would halve the service's throughput."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _claimed_id(data: bytes) -> str | None:
    """The trainee id the file's profile claims (None when that cannot be read: take() says why)."""
    try:
        doc = json.loads(data)
        return str(doc["profile"].get("trainee_id") or "").strip()
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


class Rejected(ValueError):
    """The request is unusable; the message names the field (shown to the caller as 400)."""


@dataclass
class Receipt:
    trainee: str
    status: str          # imported / updated / history / duplicate
    received_at: str
    sha256: str
    claimed: str = ""    # the trainee id the profile claimed, when it was not the hub user

    def as_json(self) -> dict[str, Any]:
        doc = {"trainee": self.trainee, "status": self.status, "received_at": self.received_at,
               "sha256": self.sha256}
        if self.claimed:
            doc["claimed_trainee_id"] = self.claimed
            doc["note"] = (f"the profile claimed trainee id {self.claimed!r}; filed under the hub user "
                           f"{self.trainee!r}")
        return doc


class Intake:
    """The service's course store plus its received files. One per service process."""

    def __init__(self, data_dir: str | Path, course_name: str) -> None:
        self.data = Path(data_dir)
        self.course_name = course_name
        self.course = Course(self.data / "course")
        self.received = self.data / "received"
        self.received.mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        self.course.close()

    def _raw_path(self, user: str, sha: str) -> Path:
        return self.received / quote(user, safe="") / f"{sha}{sub.SUFFIX}"

    def receive(self, user: str, data: bytes) -> Receipt:
        """Validate *data* exactly as collect does (Collector.take, the very same call) and file it
        under *user*; Rejected names the field."""
        name = f"{user}{sub.SUFFIX}"
        if len(data) > MAX_FILE_BYTES:
            raise Rejected(f"{name}: {len(data)} bytes, larger than the {MAX_FILE_BYTES}-byte submission limit")
        claimed = _claimed_id(data)
        if claimed is not None and claimed != user:
            try:  # validated before it is rewritten, so a damaged file is refused, never re-signed
                sub.parse_submission(data, name)
            except sub.SubmissionError as e:
                raise Rejected(" ".join(str(e).split())) from None
            doc = json.loads(data)
            doc["profile"]["trainee_id"] = user
            doc.pop("sha256", None)
            data = dump(doc)
        sha = hashlib.sha256(data).hexdigest()
        collector = Collector(self.course, out=lambda _line: None)
        status = collector.take(data, f"hub:{user}", name)
        if status == "rejected":
            line = collector.tally.lines[-1] if collector.tally.lines else "rejected"
            raise Rejected(f"{name}: {line.split(': ', 2)[-1]}")
        raw = self._raw_path(user, sha)
        if not raw.exists():
            _write_copy(raw, data)
        received_at = self._received_at(sha) if status == "duplicate" else now_iso()
        return Receipt(user, status, received_at, sha, claimed if claimed not in (None, user) else "")

    def _received_at(self, sha: str) -> str:
        rows = self.course._q("SELECT imported_at FROM submissions WHERE sha256 = ?", (sha,))
        return str(rows[0][0]) if rows else now_iso()

    def submissions(self) -> list[dict[str, Any]]:
        """Every stored submission (all versions), as the exact bytes filed: for collect --hub."""
        out = []
        for t in self.course.trainees():
            for s in self.course.submissions_of(t.trainee_id):
                p = self._raw_path(t.trainee_id, s["sha256"])
                try:
                    text = p.read_bytes().decode("utf-8")
                except OSError:
                    continue  # filed before the received/ copy existed: nothing to hand out
                out.append({"trainee": t.trainee_id, "sha256": s["sha256"], "created_at": s["created_at"],
                            "current": bool(s["current"]), "data": text})
        return out

    def feedback(self, user: str) -> bytes | None:
        comments = self.course.comments(user).get(user, [])
        if not comments:
            return None
        return feedback_bytes(f"{user}.opsvalue-feedback.json", trainee_id=user, course=self.course_name,
                              comments=comments, catalogue=self.course.catalogue)

    def comment(self, author: str, doc: Any) -> dict[str, Any]:
        """{"trainee", "exercise_id", "comment"} from an instructor; empty comment deletes it."""
        if not isinstance(doc, dict):
            raise Rejected("body: must be a JSON object with trainee, exercise_id and comment")
        trainee = doc.get("trainee")
        if not isinstance(trainee, str) or not trainee.strip():
            raise Rejected("trainee: must be a non-empty string (the trainee's hub user name)")
        if not any(t.trainee_id == trainee for t in self.course.trainees()):
            raise Rejected(f"trainee: {trainee!r} has not submitted to this course")
        text = doc.get("comment", "")
        try:
            c = check_comment(self.course.catalogue, {"exercise_id": doc.get("exercise_id"), "comment": text,
                                                      "author": author, "written_at": now_iso()}, "comment")
        except ValueError as e:
            raise Rejected(str(e)) from None
        self.course.set_comment(trainee, c["exercise_id"], c["comment"], author=author)
        return {"trainee": trainee, "exercise_id": c["exercise_id"], "saved": bool(c["comment"].strip())}

    def report_html(self, lang: str) -> str:
        data = build(self.course, lang=lang)
        data.context["course"] = self.course_name
        return render_html(data)
