"""`make bench` / `python -m benchmarks [--tiny] [--only NAME] [--write-readme]`: print the table of figures."""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

from .common import ROOT

SUITES = ("bench_store", "bench_imports", "bench_notebooks", "bench_instructor", "bench_hub",
          "bench_live")


def machine() -> str:
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}, "
            f"Python {platform.python_version()}")


def fmt(v: float, unit: str) -> str:
    if unit == "KiB":
        return f"{v / 1024:.0f} MiB"
    return f"{v * 1000:.1f} ms" if unit == "s" and v < 1 else (f"{v:.2f} {unit}" if unit != "ms" else f"{v:.2f} ms")


def table(rows: list[dict]) -> str:
    lines = ["| figure | value | baseline | ratio | goal | baseline is |", "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['figure']} | {fmt(r['value'], r['unit'])} | {fmt(r['baseline'], r['unit'])} | "
                     f"{r['ratio']:.2f}× | {r['goal']} | {r['baseline_name']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks")
    p.add_argument("--tiny", action="store_true", help="smallest sizes: checks the command runs (CI)")
    p.add_argument("--only", choices=SUITES, action="append")
    p.add_argument("--sizes", default="100,1000,10000", help="instructor pipeline sizes")
    p.add_argument("--write-readme", action="store_true", help="write the table into benchmarks/README.md")
    args = p.parse_args(argv)
    os.environ["OPSVALUE_BENCH_SIZES"] = "20" if args.tiny else args.sizes
    rows: list[dict] = []
    for name in args.only or SUITES:
        t0 = time.perf_counter()
        mod = importlib.import_module(f"benchmarks.{name}")
        rows += mod.run(args.tiny)
        print(f"# {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    out = table(rows)
    print(f"machine: {machine()}\n\n{out}")
    (ROOT / "benchmarks" / "out").mkdir(exist_ok=True)
    (ROOT / "benchmarks" / "out" / "latest.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    if args.write_readme:
        readme = ROOT / "benchmarks" / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.exists() else ""
        start, end = "<!-- figures:start -->", "<!-- figures:end -->"
        block = f"{start}\nMachine: {machine()}. Date: {time.strftime('%Y-%m-%d')}.\n\n{out}\n{end}"
        if start in text:
            text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text = text + "\n" + block + "\n"
        readme.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
