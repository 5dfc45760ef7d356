"""Run every benchmark in turn and print one report (`make bench`).

    python -m bench [NAME ...] [--json FILE]

Each benchmark (bench/bench_NAME.py, with `run() -> dict[str, float]`) runs in a child process
with a time limit, so one that fails or hangs is reported and the rest still run. For each
headline figure the report gives the median, the baseline measured in the same run, their
ratio, and the goal with PASS or MISS (bench/goals.py); every other figure follows in a
compact list. The machine is shared and noisy, so ratios to a same-run baseline are the
figures to compare across runs, more than absolute times.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.goals import BENCHES, Bench, Row

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 100
PACKAGES = ("python-telegram-bot", "aiohttp", "httpx", "SQLAlchemy", "matplotlib")


@dataclass
class Outcome:
    """What one benchmark gave: figures, or why there are none."""

    bench: Bench
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    figures: dict[str, float] = field(default_factory=dict)
    detail: str = ""


# -- the machine ----------------------------------------------------------------------------


def cpu_model() -> str:
    """Return the CPU model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_lines() -> list[str]:
    """Describe the machine, the Python and the packages the figures depend on."""
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} -")
    # httpcore tries `import sniffio` on every request when it is missing (see issue 3 notes).
    sniffio = "present" if importlib.util.find_spec("sniffio") else "absent"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {cpu_model()}, {cores} cores ({usable} usable), {platform.platform()}",
        f"python:  {platform.python_implementation()} {platform.python_version()} "
        f"({sys.executable})",
        f"packages: {', '.join(versions)}; sniffio {sniffio}",
        f"load average at start: {load} (other work on the machine skews absolute times)",
    ]


# -- running --------------------------------------------------------------------------------


def available(bench: Bench) -> bool:
    """Say whether bench/bench_NAME.py exists on this branch."""
    return importlib.util.find_spec(f"bench.bench_{bench.name}") is not None


def run_one(bench: Bench) -> Outcome:
    """Run one benchmark in a child process and collect its figures."""
    if not available(bench):
        return Outcome(
            bench, "skipped", detail=f"bench/bench_{bench.name}.py is not on this branch"
        )
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder:
        out = Path(folder) / "figures.json"
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "bench.child", bench.name, str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=bench.timeout_s,
            )
        except subprocess.TimeoutExpired:
            return Outcome(
                bench,
                "failed",
                time.perf_counter() - start,
                detail=f"timed out after {bench.timeout_s:.0f} s",
            )
        seconds = time.perf_counter() - start
        if done.returncode != 0 or not out.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-12:]
            return Outcome(
                bench, "failed", seconds, detail=f"exit {done.returncode}\n" + "\n".join(tail)
            )
        data = json.loads(out.read_text("utf-8"))
        return Outcome(bench, "ok", seconds, dict(data["figures"]))


# -- printing -------------------------------------------------------------------------------


def number(value: float | None, unit: str = "") -> str:
    """Format a figure with about three significant digits and its unit."""
    if value is None:
        return "-"
    if math.isnan(value):
        return "nan"
    size = abs(value)
    if size == 0 or (value.is_integer() and size < 1e6) or size >= 100:
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    elif size >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    return f"{text} {unit}".rstrip()


def row_cells(row: Row, figures: dict[str, float]) -> list[str]:
    """Return the cells of one report row."""
    value = figures.get(row.figure)
    base = figures.get(row.baseline) if row.baseline else None
    ratio = figures.get(row.ratio) if row.ratio else None
    if ratio is None and value is not None and base:
        ratio = value / base
    goal = row.goal.text if row.goal else ""
    verdict = row.goal.check(figures) if row.goal else ""
    return [
        row.label,
        number(value, row.unit),
        number(base, row.unit) if row.baseline else "",
        f"{ratio:.2f}x" if ratio is not None else "",
        goal,
        verdict,
    ]


def print_outcome(outcome: Outcome) -> None:
    """Print one benchmark's section of the report."""
    bench = outcome.bench
    print()
    print(f"== {bench.name}: {bench.title}  [{outcome.status}, {outcome.seconds:.0f} s]")
    if outcome.status != "ok":
        for line in outcome.detail.splitlines():
            print(f"   {line}")
        return
    figures = outcome.figures
    if bench.rows:
        if bench.baseline:
            print(f"   baseline: {bench.baseline}")
        header = ["figure (median)", "ours", "baseline", "ratio", "goal", ""]
        table = [header, *(row_cells(row, figures) for row in bench.rows)]
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        for cells in table:
            text = "  ".join(
                c.ljust(w) if i in (0, 4) else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            print(f"   {text.rstrip()}")
    shown = {r.figure for r in bench.rows} | {r.baseline for r in bench.rows if r.baseline}
    shown |= {r.ratio for r in bench.rows if r.ratio}
    rest = [f"{k}={number(v)}" for k, v in figures.items() if k not in shown]
    if rest:
        print(textwrap.fill(", ".join(rest), WIDTH, initial_indent="   ", subsequent_indent="   "))


def print_summary(outcomes: list[Outcome], seconds: float) -> None:
    """Print every goal's verdict in one place."""
    print()
    print(f"== summary ({seconds:.0f} s in all)")
    for outcome in outcomes:
        goals = [row.goal for row in outcome.bench.rows if row.goal]
        if outcome.status != "ok":
            print(f"   {outcome.bench.name:<9} {outcome.status.upper()}")
            continue
        if not goals:
            print(f"   {outcome.bench.name:<9} figures only (no goal set)")
            continue
        for goal in goals:
            value = outcome.figures.get(goal.figure)
            print(
                f"   {outcome.bench.name:<9} {goal.check(outcome.figures):<4}  "
                f"{goal.figure} = {number(value)}  (goal {goal.text})"
            )


def main() -> int:
    """Run the chosen benchmarks (all by default), print the report, return the exit status."""
    names = [b.name for b in BENCHES]
    parser = argparse.ArgumentParser(description="Run the Footcoach benchmarks.")
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"any of {', '.join(names)}")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    chosen = [b for b in BENCHES if not args.only or b.name in args.only]

    print(f"Footcoach benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    for line in machine_lines():
        print(line)
    print("figures are medians; each baseline is measured in the same run; ratio = ours / baseline")
    start = time.perf_counter()
    outcomes = []
    for bench in chosen:
        outcome = run_one(bench)
        outcomes.append(outcome)
        print_outcome(outcome)
        sys.stdout.flush()
    print_summary(outcomes, time.perf_counter() - start)
    if args.json:
        data = {o.bench.name: {"status": o.status, "figures": o.figures} for o in outcomes}
        args.json.write_text(json.dumps(data, indent=2), "utf-8")
    # A miss is a finding, not a crash; a benchmark that could not run is an error.
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
