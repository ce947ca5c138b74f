"""`opsvalue-lab report --course DIR --out report.html [--csv F] [--anonymise] [--lang ja|en]`.

A self-contained HTML file: no network reference, CSS inline, charts as base64 PNG data URIs,
print-friendly. Trainee text is untrusted: Jinja2 autoescape is on and nothing of it is marked safe;
catalogue prompts go through markup.md_inline (escaped Markdown). The CSV goes through csvsafe.
"""
from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..catalogue import Assignment
from ..i18n import ui_table
from ..jsonfile import FileFormatError, atomic_write
from ..markup import md_inline
from ..model import Task
from .course import Course, CourseError, anonymous_labels
from .csvsafe import write_csv
from .values import kept_lines, service_delivery_means, short_title, ui, value_lines

TEMPLATES = Path(__file__).with_name("templates")

L = ui_table("report")


@dataclass
class ReportData:
    context: dict[str, Any]
    csv_rows: Iterable[list[Any]]  # a generator: consumed once, by write_csv


def _png_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _charts(course: Course, labels: dict[str, str], tasks, lang: str) -> list[dict[str, Any]]:
    from ..plots import class_delivery, class_matrix
    points = course.class_points(labels, tasks=tasks)
    if not points:
        return []
    from ..catalogue import catalogue
    from ..chart_text import class_rows, describe_class, task_headers, word
    model = catalogue().model
    # each chart: a text alternative and the same numbers as a table (issue 16), autoescaped by the template
    return [{"uri": _png_uri(draw(points, lang=lang)), "alt": f"{L[key][lang]} — {describe_class(kind, points, lang)}",
             "caption": L[key][lang], "headers": task_headers(kind, lang, with_trainee=True),
             "rows": class_rows(kind, points, lang, model), "as_table": word("as_table", lang)}
            for kind, key, draw in (("matrix", "matrix_alt", class_matrix), ("delivery", "delivery_alt", class_delivery))]


def _shift(tasks) -> dict[str, Any]:
    pairs = []
    for before, after in tasks.values():
        b, a = service_delivery_means(before), service_delivery_means(after)
        if b and a:
            pairs.append((b, a))
    n = len(pairs)
    if not n:
        return {"n": 0}
    mean = lambda xs: sum(xs) / n  # noqa: E731
    service = (mean([b[0] for b, _ in pairs]), mean([a[0] for _, a in pairs]), sum(a[0] > b[0] for b, a in pairs))
    delivery = (mean([b[1] for b, _ in pairs]), mean([a[1] for _, a in pairs]), sum(a[1] < b[1] for b, a in pairs))
    return {"n": n, "service": service, "delivery": delivery,
            "service_trend": _trend(service[0], service[1], higher_is_better=True),
            "delivery_trend": _trend(delivery[0], delivery[1], higher_is_better=False)}


def _trend(before: float, after: float, *, higher_is_better: bool) -> tuple[str, str]:
    """(arrow for the figure's direction, key of better / worse / same for the value's direction).

    Service value: a larger figure is better. Delivery value (納期 × 摩擦係数): a smaller figure is better."""
    if after == before:
        return "＝", "same"
    arrow = "▲" if after > before else "▼"
    return arrow, "better" if (after > before) == higher_is_better else "worse"


CHUNK = 500  # trainees whose parsed answers are in memory at once (peak memory: issue 17)


def build(course: Course, *, lang: str = "ja", anonymise: bool = False, charts: bool = True) -> ReportData:
    """Everything the template and the CSV need. Answers are read CHUNK trainees at a time and
    formatted once; only the formatted lines stay in memory."""
    cat = course.catalogue
    trainees = course.trainees()
    comments = {(tid, c["exercise_id"]): c["comment"] for tid, cs in course.comments().items() for c in cs}
    anon = anonymous_labels(t.trainee_id for t in trainees)
    shown = {t.trainee_id: (anon[t.trainee_id] if anonymise else t.label) for t in trainees}
    chart_labels = {t.trainee_id: (anon[t.trainee_id] if anonymise else (t.name or t.trainee_id)) for t in trainees}

    tasks: dict[str, tuple[list[Task], list[Task]]] = {}  # the two self-assessments: charts first, then freed
    for start in range(0, len(trainees), CHUNK):
        ids = [t.trainee_id for t in trainees[start:start + CHUNK]]
        tasks.update(course.tasks(course.current_answers(cat.self_assessment_ids, trainee_ids=ids)))
    shift = _shift(tasks)
    chart_list = _charts(course, chart_labels, tasks, lang) if charts and trainees else []
    del tasks

    shorts = {a.id: short_title(a, lang) for a in cat.assignments}
    completion: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []
    kept_rows: list[list[Any]] = []
    lines: dict[tuple[str, str], list[str]] = {}  # every answer formatted once, for HTML and CSV
    for start in range(0, len(trainees), CHUNK):
        part = trainees[start:start + CHUNK]
        answers = course.current_answers(trainee_ids=[t.trainee_id for t in part])
        for o in course.orphans(answers):
            t = next(x for x in part if x.trainee_id == o["trainee_id"])
            text = kept_lines(o["value"], lang)
            kept.append({"who": shown[t.trainee_id], "exercise_id": o["exercise_id"], "reason": o["reason"],
                         "lines": text})
            kept_rows.append([anon[t.trainee_id] if anonymise else t.trainee_id, anon[t.trainee_id] if anonymise
                              else t.name, t.cohort, o["exercise_id"], "", "",
                              f"({L['kept'][lang]}: {o['reason']})", "yes", "\n".join(text), ""])
        for t in part:
            mine = answers.get(t.trainee_id, {})
            row = course.completion_row(t, mine)
            groups = []
            for tm in ("before", "in_class", "after"):
                miss = row["missing"].get(tm, [])
                if miss:
                    everything = len(miss) == row["by_timing"][tm][1]
                    groups.append({"timing": ui(tm, lang), "all": everything, "n": len(miss),
                                   "items": [shorts[ex] for ex in miss]})
            completion.append({"who": shown[t.trainee_id],
                               "cells": [row["by_timing"].get(tm, [0, 0]) for tm in ("before", "in_class", "after")],
                               "missing": groups})
            for a in cat.assignments:
                lines[(t.trainee_id, a.id)] = value_lines(a, mine.get(a.id), lang)
        del answers

    questions, done_pairs = [], set()
    for a in cat.assignments:
        pair = cat.pair_of(a)
        if a.id in done_pairs:
            continue
        ids = list(pair) if pair else [a.id]
        done_pairs.update(ids)
        parts = [cat.assignment(x) for x in ids]

        def rows(parts: list[Assignment] = parts) -> Iterator[dict[str, Any]]:  # made while rendered, not kept
            for t in trainees:
                yield {"who": shown[t.trainee_id],
                       "cells": [{"lines": lines[(t.trainee_id, p.id)],
                                  "comment": comments.get((t.trainee_id, p.id), "")} for p in parts]}
        answered = [sum(bool(lines[(t.trainee_id, p.id)]) for t in trainees) for p in parts]
        questions.append({"anchor": "q-" + a.id.replace(".", "-"), "parts": [
            {"id": p.id, "title": p.title(lang), "prompt": Markup(md_inline(p.prompt(lang))),
             "timing": ui(("pre", "post")[i], lang) if pair else ui(p.timing, lang),
             "answered": L["answered_n"][lang].format(a=n, t=len(trainees))}
            for i, (p, n) in enumerate(zip(parts, answered))],
            "section": a.section, "rows": rows()})

    def csv_rows() -> Iterator[list[Any]]:  # made while the CSV is written, not kept
        for t in trainees:
            tid = anon[t.trainee_id] if anonymise else t.trainee_id
            name = anon[t.trainee_id] if anonymise else t.name
            for a in cat.assignments:
                text = lines[(t.trainee_id, a.id)]
                yield [tid, name, t.cohort, a.id, a.section, a.timing, a.title(lang),
                       "yes" if text else "no", "\n".join(text), comments.get((t.trainee_id, a.id), "")]
        yield from kept_rows

    counts = course.counts()
    context = {"lang": lang, "L": {k: v[lang] for k, v in L.items()}, "course": course.dir.name,
               "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"), "anonymise": anonymise,
               "counts": counts, "shift": shift, "completion": completion,
               "timings": [ui(x, lang) for x in ("before", "in_class", "after")],
               "mark_missing": ui("missing_mark", lang), "mark_done": ui("done_mark", lang),
               "missing_text": ui("missing", lang), "questions": questions, "kept": kept,
               "charts": chart_list}
    return ReportData(context, csv_rows())


CSV_HEADER = ["trainee_id", "name", "cohort", "exercise_id", "section", "timing", "title", "answered",
              "answer", "comment"]


def _template() -> Any:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True,
                      default_for_string=True), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2")


def render_html(data: ReportData) -> str:
    return _template().render(**data.context)


def html_chunks(data: ReportData, size: int = 1 << 16) -> Iterator[bytes]:
    """The report as UTF-8 chunks of about *size* bytes, rendered as written (never whole in memory)."""
    buf: list[str] = []
    n = 0
    for part in _template().generate(**data.context):
        buf.append(part)
        n += len(part)
        if n >= size:
            yield "".join(buf).encode("utf-8")
            buf.clear()
            n = 0
    if buf:
        yield "".join(buf).encode("utf-8")


def write_report(course_dir: str | Path, out: str | Path, *, csv: str | Path | None = None,
                 anonymise: bool = False, lang: str = "ja") -> tuple[Path, Path | None]:
    course_dir = Path(course_dir)
    if not (course_dir / "course.sqlite3").is_file():
        raise CourseError(f"{course_dir} holds no course store (course.sqlite3); run `opsvalue-lab collect` first")
    with Course(course_dir) as course:
        data = build(course, lang=lang, anonymise=anonymise)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, html_chunks(data), force=True, err=FileFormatError)  # whole or not at all
    csv_path = write_csv(csv, CSV_HEADER, data.csv_rows) if csv else None
    return out, csv_path


def cli_report(args) -> int:
    out, csv_path = write_report(args.course, args.out, csv=args.csv, anonymise=args.anonymise, lang=args.lang)
    print(f"report: wrote {out}" + (f" and {csv_path}" if csv_path else ""))
    return 0
