"""Run one benchmark module's `run()` and write its figures as JSON (the runner's child).

    python -m bench.child NAME OUT.json

Each benchmark runs in a process of its own so that a crash, a hang or a leak in one cannot
stop or skew the others, and so that per-process figures (peak memory) are its own.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    """Import bench.bench_NAME, call run(), and write {"figures": ..., "seconds": ...}."""
    name, out = sys.argv[1], Path(sys.argv[2])
    module = importlib.import_module(f"bench.bench_{name}")
    start = time.perf_counter()
    figures = module.run()
    seconds = time.perf_counter() - start
    clean = {str(k): float(v) for k, v in figures.items()}
    out.write_text(json.dumps({"figures": clean, "seconds": seconds}), "utf-8")


if __name__ == "__main__":
    main()
