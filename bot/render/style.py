"""The look shared by the figure and the props: colours, pen sizes, outlined shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex, to_rgb

from bot.core.poses import Point
from bot.render.motion import capsule, lerp

BACKGROUND = "#f6f1e7"
PANEL = "#fffdf8"
INK = "#2b2a28"
OUTLINE = "#3b3531"
ARROW = "#f08a00"
SKIN = "#f1b48e"
SHIRT = "#2a9d8f"
SHORTS = "#3d5a80"
HAIR = "#5a3a27"
NAIL = "#f9d9cc"
FEEL = "#ff4d4d"
GROUND = "#e9dfcc"
GROUND_LINE = "#a8987f"
WALL = "#ddd3c2"
WOOD = "#c8975f"
WOOD_DARK = "#8d6239"
TOWEL = "#6fb1dc"
TOWEL_STRIPE = "#3f86b8"
BAND = "#d6336c"
BOOK = "#7b4f9d"
PAGES = "#f4ecd8"
BALLS = {  # body colour, seam or dimple colour
    "lacrosse": ("#f3d34a", "#c59b12"),
    "golf": ("#fbfbf8", "#c9c9c0"),
    "softball": ("#f4ea5a", "#d62828"),
    "baseball": ("#fbf8ef", "#d62828"),
    "tennis": ("#cde33b", "#ffffff"),
}
FAR_FADE = 0.42  # how far the far-side limbs fade towards the background


def fade(colour: str, amount: float = FAR_FADE) -> str:
    """Return the colour moved `amount` of the way towards the background."""
    c, b = to_rgb(colour), to_rgb(BACKGROUND)
    return to_hex((lerp(c[0], b[0], amount), lerp(c[1], b[1], amount), lerp(c[2], b[2], amount)))


@dataclass
class Shapes:
    """Filled outlines that are drawn together: one dark silhouette, then the fills on top."""

    polygons: list[list[Point]] = field(default_factory=list)
    colours: list[str] = field(default_factory=list)

    def add(self, polygon: list[Point], colour: str) -> None:
        self.polygons.append(polygon)
        self.colours.append(colour)

    def blob(self, a: Point, ra: float, b: Point, rb: float, colour: str) -> None:
        self.add(capsule(a, ra, b, rb), colour)

    def draw(self, ax: Axes, outline_pt: float, zorder: float) -> None:
        if not self.polygons:
            return
        ax.add_collection(
            PolyCollection(
                self.polygons,
                facecolors=OUTLINE,
                edgecolors=OUTLINE,
                linewidths=2 * outline_pt,
                joinstyle="round",
                zorder=zorder,
            )
        )
        ax.add_collection(
            PolyCollection(
                self.polygons, facecolors=self.colours, edgecolors="none", zorder=zorder + 0.1
            )
        )


@dataclass(frozen=True)
class Pen:
    """How big things are on the page: points per centimetre, and the panel's width in points."""

    pt_per_cm: float
    panel_pt: float

    def pt(self, cm: float) -> float:
        return cm * self.pt_per_cm


# -- plane helpers --------------------------------------------------------------------------


def circle(centre: Point, radius: float, steps: int = 28) -> list[Point]:
    """Return points round a circle."""
    return [
        (
            centre[0] + radius * math.cos(2 * math.pi * i / steps),
            centre[1] + radius * math.sin(2 * math.pi * i / steps),
        )
        for i in range(steps)
    ]


def unit(v: Point) -> Point:
    """Return v scaled to length 1 (or v itself when it has no length)."""
    length = math.hypot(*v) or 1.0
    return (v[0] / length, v[1] / length)


def dot(a: Point, b: Point) -> float:
    """Return the dot product of two vectors."""
    return a[0] * b[0] + a[1] * b[1]


def cross(a: Point, b: Point) -> float:
    """Return the cross product of two vectors: > 0 when b turns left from a."""
    return a[0] * b[1] - a[1] * b[0]
