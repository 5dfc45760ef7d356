"""What every benchmark's own command line shares: the --client option, printing figures."""

from __future__ import annotations

import argparse


def add_client_option(parser: argparse.ArgumentParser) -> None:
    """Offer --client: our bot on its own aiohttp transport, or on PTB's default httpx."""
    parser.add_argument(
        "--client",
        choices=("aiohttp", "httpx"),
        default="aiohttp",
        help="our bot's HTTP client: its own (aiohttp), or PTB's default (httpx), to compare",
    )


def print_figures(figures: dict[str, float]) -> None:
    """Print one figure a line, names aligned; whole numbers without decimals."""
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}" if value % 1 else f"{name:<{width}}  {value:,.0f}")
