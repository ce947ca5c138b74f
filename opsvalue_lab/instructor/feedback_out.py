"""`opsvalue-lab feedback export --course DIR --out DIR`: one feedback file per commented trainee.

Files are written with opsvalue_lab.feedback.write_feedback (validated, checksummed, atomic);
each trainee imports theirs with `opsvalue-lab feedback import FILE --workspace W`.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..feedback import SUFFIX, write_feedback
from .course import Course, CourseError


def feedback_name(trainee_id: str, taken: set[str]) -> str:
    """A safe, unique file name for one trainee's feedback (ids may hold any character)."""
    safe = re.sub(r"[^\w.\-]+", "_", trainee_id).strip("._")[:80] or "trainee"
    name = safe + SUFFIX
    if name.lower() in taken:
        name = f"{safe}-{hashlib.sha256(trainee_id.encode('utf-8')).hexdigest()[:8]}{SUFFIX}"
    taken.add(name.lower())
    return name


def export_feedback(course_dir: str | Path, out: str | Path) -> list[Path]:
    """Write a feedback file for every trainee with at least one comment; returns the paths."""
    course_dir = Path(course_dir)
    if not (course_dir / "course.sqlite3").is_file():
        raise CourseError(f"{course_dir} holds no course store (course.sqlite3); run `opsvalue-lab collect` first")
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CourseError(f"cannot create the output folder {out}: {e.strerror or e}") from None
    with Course(course_dir) as course:
        by_trainee = course.comments()
        name = course.dir.resolve().name
    written: list[Path] = []
    taken: set[str] = set()
    for tid in sorted(by_trainee):
        written.append(write_feedback(out / feedback_name(tid, taken), trainee_id=tid, course=name,
                                      comments=by_trainee[tid], force=True))
    return written


def cli_export(args) -> int:
    paths = export_feedback(args.course, args.out)
    if not paths:
        print(f"feedback export: no comments yet in {args.course}; nothing written")
        return 0
    n = sum(1 for _ in paths)
    print(f"feedback export: wrote {n} feedback file(s) to {args.out}")
    return 0
