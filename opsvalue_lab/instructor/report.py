"""`opsvalue-lab report --course DIR --out report.html [--csv F] [--anonymise] [--lang ja|en]`.

A self-contained HTML file: no network reference, CSS inline, charts as base64 PNG data URIs,
print-friendly. Trainee text is untrusted: Jinja2 autoescape is on and nothing is marked safe
except the base64 images we make. The CSV (one row per trainee × question) goes through csvsafe.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ..i18n import ui_table
from ..jsonfile import FileFormatError, atomic_write
from .course import Course, CourseError, Trainee, anonymous_labels
from .csvsafe import write_csv
from .values import kept_lines, pair_order, service_delivery_means, short_title, ui, value_lines

TEMPLATES = Path(__file__).with_name("templates")

L = ui_table("report")


@dataclass
class ReportData:
    context: dict[str, Any]
    csv_rows: list[list[Any]]


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


def build(course: Course, *, lang: str = "ja", anonymise: bool = False, charts: bool = True) -> ReportData:
    """Everything the template and the CSV need, from three queries."""
    cat = course.catalogue
    trainees = course.trainees()
    answers = course.current_answers()
    comments = {(tid, c["exercise_id"]): c["comment"] for tid, cs in course.comments().items() for c in cs}
    tasks = course.tasks(answers)
    anon = anonymous_labels(t.trainee_id for t in trainees)
    lines: dict[tuple[str, str], list[str]] = {}  # every answer formatted once, for HTML and CSV
    for t in trainees:
        mine = answers.get(t.trainee_id, {})
        for a in cat.assignments:
            lines[(t.trainee_id, a.id)] = value_lines(a, mine.get(a.id), lang)
    shown = {t.trainee_id: (anon[t.trainee_id] if anonymise else t.label) for t in trainees}
    chart_labels = {t.trainee_id: (anon[t.trainee_id] if anonymise else (t.name or t.trainee_id)) for t in trainees}

    completion, shorts = [], {a.id: short_title(a, lang) for a in cat.assignments}
    for row in course.completion(answers):
        who: Trainee = row["trainee"]
        groups = []
        for tm in ("before", "in_class", "after"):
            miss = row["missing"].get(tm, [])
            if miss:
                everything = len(miss) == row["by_timing"][tm][1]
                groups.append({"timing": ui(tm, lang), "all": everything, "n": len(miss),
                               "items": [shorts[ex] for ex in miss]})
        completion.append({"who": shown[who.trainee_id],
                           "cells": [row["by_timing"].get(tm, [0, 0]) for tm in ("before", "in_class", "after")],
                           "missing": groups})

    questions, csv_rows, done_pairs = [], [], set()
    for a in cat.assignments:
        pair = pair_order(a, cat)
        if a.id in done_pairs:
            continue
        ids = list(pair) if pair else [a.id]
        done_pairs.update(ids)
        parts = [cat.assignment(x) for x in ids]
        rows = []
        for t in trainees:
            cells = [{"lines": lines[(t.trainee_id, p.id)], "comment": comments.get((t.trainee_id, p.id), "")}
                     for p in parts]
            rows.append({"who": shown[t.trainee_id], "cells": cells})
        answered = [sum(bool(lines[(t.trainee_id, p.id)]) for t in trainees) for p in parts]
        questions.append({"anchor": "q-" + a.id.replace(".", "-"), "parts": [
            {"id": p.id, "title": p.title(lang), "prompt": p.prompt(lang),
             "timing": ui(("pre", "post")[i], lang) if pair else ui(p.timing, lang),
             "answered": L["answered_n"][lang].format(a=n, t=len(trainees))}
            for i, (p, n) in enumerate(zip(parts, answered))],
            "section": a.section, "rows": rows})

    for t in trainees:
        tid = anon[t.trainee_id] if anonymise else t.trainee_id
        name = anon[t.trainee_id] if anonymise else t.name
        for a in cat.assignments:
            text = lines[(t.trainee_id, a.id)]
            csv_rows.append([tid, name, t.cohort, a.id, a.section, a.timing, a.title(lang),
                             "yes" if text else "no", "\n".join(text),
                             comments.get((t.trainee_id, a.id), "")])

    kept = []
    by_id = {t.trainee_id: t for t in trainees}
    for o in course.orphans(answers):
        t = by_id[o["trainee_id"]]
        text = kept_lines(o["value"], lang)
        kept.append({"who": shown[t.trainee_id], "exercise_id": o["exercise_id"], "reason": o["reason"],
                     "lines": text})
        csv_rows.append([anon[t.trainee_id] if anonymise else t.trainee_id, anon[t.trainee_id] if anonymise
                         else t.name, t.cohort, o["exercise_id"], "", "", f"({L['kept'][lang]}: {o['reason']})",
                         "yes", "\n".join(text), ""])

    counts = course.counts()
    context = {"lang": lang, "L": {k: v[lang] for k, v in L.items()}, "course": course.dir.name,
               "generated": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"), "anonymise": anonymise,
               "counts": counts, "shift": _shift(tasks), "completion": completion,
               "timings": [ui(x, lang) for x in ("before", "in_class", "after")],
               "mark_missing": ui("missing_mark", lang), "mark_done": ui("done_mark", lang),
               "missing_text": ui("missing", lang), "questions": questions, "kept": kept,
               "charts": _charts(course, chart_labels, tasks, lang) if charts and trainees else []}
    return ReportData(context, csv_rows)


CSV_HEADER = ["trainee_id", "name", "cohort", "exercise_id", "section", "timing", "title", "answered",
              "answer", "comment"]


def render_html(data: ReportData) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True,
                      default_for_string=True), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**data.context)


def write_report(course_dir: str | Path, out: str | Path, *, csv: str | Path | None = None,
                 anonymise: bool = False, lang: str = "ja") -> tuple[Path, Path | None]:
    course_dir = Path(course_dir)
    if not (course_dir / "course.sqlite3").is_file():
        raise CourseError(f"{course_dir} holds no course store (course.sqlite3); run `opsvalue-lab collect` first")
    with Course(course_dir) as course:
        data = build(course, lang=lang, anonymise=anonymise)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, render_html(data).encode("utf-8"), force=True, err=FileFormatError)  # whole or not at all
    csv_path = write_csv(csv, CSV_HEADER, data.csv_rows) if csv else None
    return out, csv_path


def cli_report(args) -> int:
    out, csv_path = write_report(args.course, args.out, csv=args.csv, anonymise=args.anonymise, lang=args.lang)
    print(f"report: wrote {out}" + (f" and {csv_path}" if csv_path else ""))
    return 0
