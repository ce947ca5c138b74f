"""The `opsvalue-lab` command. Each subcommand lives in its own module, imported only when run.

Errors meant for people print as one line on stderr with exit code 2, never a traceback.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .catalogue import ENV, CatalogueError, catalogue
from .errors import OpsValueError


def _exercises(args: argparse.Namespace) -> int:
    cat = catalogue()
    if args.json:
        from .catalogue_json import catalogue_to_json
        print(json.dumps(catalogue_to_json(cat), ensure_ascii=False, indent=2))
        return 0
    from .i18n import term
    lang = args.lang
    for a in cat.assignments:
        print(f"{a.id:<24} {a.section}  {term(a.timing, lang):<9} {a.title(lang)}")
    for q in cat.quizzes:
        first = q.scenario(lang).splitlines()[0][:60]
        print(f"{q.id:<24} {q.section}  {'quiz':<9} {first}")
    return 0


def _model(args: argparse.Namespace) -> int:
    conv = catalogue().model.conventions()
    if args.json:
        print(json.dumps(conv, ensure_ascii=False, indent=2))
        return 0
    print("サービス価値 / service value  =", conv["service_value"])
    print("デリバリ価値 / delivery value =", conv["delivery_value"])
    for lv in conv["levels"]:
        print(f"  level {lv['key']:<12} {lv['ja']:<8} score {lv['score']:g}")
    p = conv["proactivity"]
    print(f"  proactivity {p['min']} – {p['max']}: reactive {p['reactive']}, proactive {p['proactive']}, "
          f"boundary {p['boundary']}")
    for r in conv["repeatability"]:
        print(f"  repeatability {r['key']:<15} {r['ja']:<12} coefficient {r['coefficient']:g}")
    for a in conv["reference_activities"]:
        print(f"  reference {a['ja']:<10} level {a['level']:<12} proactivity {a['proactivity']}")
    return 0


def _lazy(target: str) -> Callable[[argparse.Namespace], int]:
    """'module:function' run with the parsed arguments, imported only when chosen."""
    mod, func = target.split(":")

    def run(args: argparse.Namespace) -> int:
        return int(getattr(importlib.import_module(mod), func)(args) or 0)
    return run


CATALOGUE_HELP = ("a cohort overlay folder (DIR/exercises/*.toml, DIR/notebooks/src/*.toml) that adds, replaces "
                  "or hides questions, quizzes and texts; default $OPSVALUE_CATALOGUE")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="opsvalue-lab", description="運用の価値 workbook (OpsLearn lecture 2)")
    p.add_argument("--catalogue", metavar="DIR", default=None, help=CATALOGUE_HELP)
    sub = p.add_subparsers(dest="command", required=True)
    orig_add = sub.add_parser

    def add_parser(name: str, **kw):  # every command takes --catalogue DIR (before or after its name)
        sp = orig_add(name, **kw)
        sp.add_argument("--catalogue", metavar="DIR", default=argparse.SUPPRESS, help=CATALOGUE_HELP)
        return sp
    sub.add_parser = add_parser  # type: ignore[method-assign]

    s = sub.add_parser("exercises", help="list the catalogue")
    s.add_argument("--lang", choices=("ja", "en"), default="ja")
    s.add_argument("--json", action="store_true", help="every field in both languages")
    s.set_defaults(run=_exercises)

    s = sub.add_parser("model", help="print the value model's conventions")
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=_model)

    for name, target, hlp in (("start", "opsvalue_lab.launch:start", "open the workbook in JupyterLab"),
                              ("app", "opsvalue_lab.launch:app", "serve the workbook through Voila")):
        s = sub.add_parser(name, help=hlp)
        s.add_argument("--workspace", default="opsvalue-workspace")
        s.add_argument("--lang", choices=("ja", "en"), default="ja")
        s.add_argument("--port", type=int, default=0, help="0 picks a free port")
        s.add_argument("--no-browser", action="store_true")
        s.set_defaults(run=_lazy(target))

    s = sub.add_parser("review", help="open the instructor notebook on a course (JupyterLab, or Voila with --app)")
    s.add_argument("--course", required=True, help="the folder given to `collect --course`")
    s.add_argument("--lang", choices=("ja", "en"), default="ja")
    s.add_argument("--port", type=int, default=0, help="0 picks a free port")
    s.add_argument("--no-browser", action="store_true")
    s.add_argument("--app", action="store_true", help="serve it through Voila: no code, no JupyterLab")
    s.set_defaults(run=_lazy("opsvalue_lab.launch:review"))

    s = sub.add_parser("export", help="write the trainee's submission file")
    s.add_argument("--workspace", default="opsvalue-workspace")
    s.add_argument("--out", default=None)
    s.add_argument("--force", action="store_true", help="overwrite an existing file")
    s.add_argument("--no-history", action="store_true", help="leave earlier versions out")
    s.set_defaults(run=_lazy("opsvalue_lab.trainee_cli:cli_export"))

    s = sub.add_parser("collect", help="import submissions into a course store")
    s.add_argument("sources", nargs="*", metavar="SRC", help="files, folders or zip archives")
    s.add_argument("--course", required=True)
    s.add_argument("--hub", default=None, metavar="URL", help="pull every submission from a JupyterHub class")
    s.add_argument("--token", default=None, help="an instructor's hub API token (with --hub)")
    s.set_defaults(run=_lazy("opsvalue_lab.instructor.collect:cli_collect"))

    s = sub.add_parser("demo-class", help="write N synthetic submissions")
    s.add_argument("--n", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(run=_lazy("opsvalue_lab.instructor.demo:cli_demo"))

    s = sub.add_parser("feedback", help="return the instructor's comments to trainees")
    fsub = s.add_subparsers(dest="feedback_command", required=True)
    f = fsub.add_parser("export", help="one feedback file per trainee")
    f.add_argument("--catalogue", metavar="DIR", default=argparse.SUPPRESS, help=CATALOGUE_HELP)
    f.add_argument("--course", required=True)
    f.add_argument("--out", required=True)
    f.set_defaults(run=_lazy("opsvalue_lab.instructor.feedback_out:cli_export"))
    f = fsub.add_parser("import", help="import a feedback file into a workspace")
    f.add_argument("--catalogue", metavar="DIR", default=argparse.SUPPRESS, help=CATALOGUE_HELP)
    f.add_argument("file")
    f.add_argument("--workspace", default="opsvalue-workspace")
    f.set_defaults(run=_lazy("opsvalue_lab.trainee_cli:cli_import"))

    s = sub.add_parser("report", help="HTML report (and CSV) of a course")
    s.add_argument("--course", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--csv", default=None)
    s.add_argument("--anonymise", action="store_true")
    s.add_argument("--lang", choices=("ja", "en"), default="ja")
    s.set_defaults(run=_lazy("opsvalue_lab.instructor.report:cli_report"))

    s = sub.add_parser("hub-demo", help="a real JupyterHub class on 127.0.0.1 (needs the [hub] extra)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--course", default="demo")
    s.add_argument("--instructors", default="instructor", help="comma-separated hub user names")
    s.add_argument("--password", default="opsvalue-demo", help="the shared test password")
    s.add_argument("--lang", choices=("ja", "en"), default="ja")
    s.add_argument("--data", default="opsvalue-hub", help="where everything is kept across restarts")
    s.add_argument("--live", action="store_true", help="share answers live on the instructor's projector page")
    s.set_defaults(run=_lazy("opsvalue_lab.hub.demo:cli_hub_demo"))

    s = sub.add_parser("build-notebooks", help="regenerate notebooks/ from the catalogue")
    s.add_argument("--check", action="store_true", help="fail if a committed notebook differs")
    s.add_argument("--out", default=None, help="output folder (default notebooks/, or DIR/notebooks/ with --catalogue)")
    s.set_defaults(run=_lazy("opsvalue_lab.build_notebooks:cli_build"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The `opsvalue-lab` command (*argv* None: the command line) or one command run in this process."""
    try:
        return _run(argv)
    finally:
        if argv is None:  # the command: the process ends next, and the collections at exit would walk
            gc.freeze()   # every object left once more (some 10 ms for collect) to free what the OS frees


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.catalogue:  # one mechanism for this process and every process it starts (kernels)
            os.environ[ENV] = str(Path(args.catalogue).expanduser().resolve())
            catalogue()  # a broken overlay stops here with the file and key named
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `opsvalue-lab exercises | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (OpsValueError, CatalogueError, ValueError, OSError) as e:
        print(f"opsvalue-lab {args.command}: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - one line for people; details with OPSVALUE_DEBUG=1
        if os.environ.get("OPSVALUE_DEBUG"):
            raise
        print(f"opsvalue-lab {args.command}: internal error: {type(e).__name__}: {e} "
              "(run again with OPSVALUE_DEBUG=1 for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
