"""Trainee commands that open a workspace: `opsvalue-lab export` and `opsvalue-lab feedback import`."""
from __future__ import annotations

import argparse
from pathlib import Path

from .errors import OpsValueError
from .feedback import import_feedback
from .store import STORE_DIR, STORE_FILE, Workbook
from .submission import default_name, read_submission


def cli_export(args: argparse.Namespace) -> int:
    """``opsvalue-lab export``: write the submission file and print its path."""
    ws = Path(args.workspace)
    store = ws / STORE_DIR / STORE_FILE
    if not store.is_file():
        raise OpsValueError(f"no answers found in workspace {ws} (expected {store}); "
                            "pass --workspace with the folder you worked in")
    with Workbook.open(ws) as wb:
        out = Path(args.out) if args.out else Path.cwd()
        if out.is_dir():
            out = out / default_name(wb.profile["trainee_id"])
        written = wb.export(out, include_history=not args.no_history, force=args.force)
        kept = read_submission(written, catalogue=wb.catalogue).orphans
    print(written)
    if kept:  # nothing is left out: say what the instructor will see as "not in the current catalogue"
        print(f"kept {len(kept)} answer(s) the current catalogue lacks (your instructor sees them as "
              f"'not in the current catalogue'): {', '.join(sorted(kept))}")
    return 0


def cli_import(args: argparse.Namespace) -> int:
    """``opsvalue-lab feedback import FILE --workspace W``."""
    ws = Path(args.workspace)
    if not (ws / STORE_DIR / STORE_FILE).is_file():
        raise OpsValueError(f"no answers found in workspace {ws}; pass --workspace with the folder you worked in")
    with Workbook.open(ws) as wb:
        n = import_feedback(wb, args.file)
    print(f"{n} new comment(s) imported from {args.file}")
    return 0
