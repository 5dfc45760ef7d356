"""Draw every exercise picture: the stills (PNG) and the animations (GIF) of every variant.

What `footcoach pictures --out DIR` does, and what a fresh bot process pays the first time
each card is shown (a file Telegram already holds is sent by its id and never drawn again).
Each run starts from empty caches; the figure is the median of a few runs. The baseline is
one figure of the same size saved as a PNG with nothing on it: what matplotlib costs at all.

    python -m bench.bench_pictures [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bench.cli import print_figures
from bench.conversations import KNOWLEDGE_DIR
from bot.core.knowledge import load_knowledge
from bot.render import pictures
from bot.render.pictures import draw_animation, draw_still, variants_of

RUNS = 3


def _empty_png() -> None:
    fig = Figure(figsize=(10.8, 4.0), dpi=100)
    FigureCanvasAgg(fig)
    fig.savefig(io.BytesIO(), format="png")


def run(runs: int = RUNS) -> dict[str, float]:
    """Draw everything `runs` times from cold caches; return the medians."""
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    todo = [
        (knowledge.pictures.poses[e], v)
        for e in knowledge.exercises
        if e in knowledge.pictures.poses
        for v in variants_of(knowledge, e)
    ]
    draw_still(*todo[0])  # fonts and matplotlib's own caches: paid once per process
    stills: list[float] = []
    gifs: list[float] = []
    slowest_gif: list[float] = []
    sizes = 0
    for _ in range(runs):
        pictures._still.cache_clear()
        pictures._animation.cache_clear()
        start = time.perf_counter()
        sizes = sum(len(draw_still(poses, variant)) for poses, variant in todo)
        stills.append(time.perf_counter() - start)
        each = []
        for poses, variant in todo:
            began = time.perf_counter()
            sizes += len(draw_animation(poses, variant))
            each.append(time.perf_counter() - began)
        gifs.append(sum(each))
        slowest_gif.append(max(each))
    baseline = []
    for _ in range(runs):
        start = time.perf_counter()
        _empty_png()
        baseline.append(time.perf_counter() - start)
    all_s = [a + b for a, b in zip(stills, gifs, strict=True)]
    return {
        "files": float(2 * len(todo)),
        "variants": float(len(todo)),
        "all_s": statistics.median(all_s),
        "stills_s": statistics.median(stills),
        "gifs_s": statistics.median(gifs),
        "still_ms_each": statistics.median(stills) * 1000 / len(todo),
        "gif_ms_each": statistics.median(gifs) * 1000 / len(todo),
        "slowest_gif_ms": statistics.median(slowest_gif) * 1000,
        "empty_png_ms": statistics.median(baseline) * 1000,
        "total_mb": sizes / 1e6,
    }


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Draw every exercise picture.")
    parser.add_argument("--runs", type=int, default=RUNS)
    print_figures(run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
