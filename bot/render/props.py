"""Draw the room around the figure: wall, floor, step, chair, towel, weight and ball."""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.patches import Circle, Polygon, Rectangle

from bot.core.poses import Ball, Chair, Props, Towel
from bot.render.motion import lerp
from bot.render.style import (
    BALLS,
    BOOK,
    GROUND,
    GROUND_LINE,
    OUTLINE,
    PAGES,
    TOWEL,
    TOWEL_STRIPE,
    WALL,
    WOOD,
    WOOD_DARK,
    Pen,
)


def draw_room(ax: Axes, props: Props, width: float, height: float, pen: Pen) -> None:
    """Draw the props behind and under the figure, on a canvas width x height."""
    line = max(1.0, pen.pt(0.3))
    floor_y = props.floor.y if props.floor is not None else 0.0
    if props.wall is not None:
        x = props.wall.x
        left, right = (x, width) if props.wall.side == "right" else (0.0, x)
        ax.add_patch(Rectangle((left, 0), right - left, height, color=WALL, zorder=1, lw=0))
        ax.plot([x, x], [0, height], color=GROUND_LINE, linewidth=line, zorder=1.1)
    if props.floor is not None:
        ax.add_patch(Rectangle((0, 0), width, floor_y, color=GROUND, zorder=1.5, lw=0))
        ax.plot([0, width], [floor_y, floor_y], color=GROUND_LINE, linewidth=line, zorder=1.6)
    if props.step is not None:
        x0, x1 = props.step.x
        ax.add_patch(
            Rectangle(
                (x0, floor_y),
                x1 - x0,
                props.step.height,
                facecolor=WOOD,
                edgecolor=WOOD_DARK,
                linewidth=line,
                zorder=2,
            )
        )
    if props.chair is not None:
        _chair(ax, props.chair, floor_y, line)
    if props.band is not None and props.band.tied is not None:
        # The leg of a table the band is tied to, its near face at the knot.
        _wood(ax, (props.band.tied[0], floor_y), 3.0, height - floor_y, line)
    if props.towel is not None:
        _towel(ax, props.towel, line)
    if props.weight is not None:
        (x, y), (w, h) = props.weight.at, props.weight.size
        ax.add_patch(
            Rectangle(
                (x - w / 2, y),
                w,
                h,
                facecolor=BOOK,
                edgecolor=OUTLINE,
                linewidth=line * 0.8,
                zorder=4,
            )
        )
        ax.add_patch(
            Rectangle(
                (x - w / 2 + 0.6, y + h * 0.2), w - 1.2, h * 0.35, color=PAGES, zorder=4.1, lw=0
            )
        )
    if props.ball is not None:
        _ball(ax, props.ball, line)


def _wood(ax: Axes, corner: tuple[float, float], w: float, h: float, line: float) -> None:
    """Draw a piece of wood (a chair's seat or leg, a table leg) with its lower left corner."""
    ax.add_patch(
        Rectangle(corner, w, h, facecolor=WOOD, edgecolor=WOOD_DARK, linewidth=line, zorder=2)
    )


def _chair(ax: Axes, chair: Chair, floor_y: float, line: float) -> None:
    x0, x1 = chair.seat
    top = floor_y + chair.height

    def wood(x: float, y: float, w: float, h: float) -> None:
        _wood(ax, (x, y), w, h, line)

    wood(x0, top - 4, x1 - x0, 4)
    for x in (x0 + 1, x1 - 4):
        wood(x, floor_y, 3, chair.height - 4)
    if chair.back != "none":
        x = x0 + 1 if chair.back == "left" else x1 - 4
        wood(x, top, 3, chair.back_height - chair.height)
        wood(x - 1, floor_y + chair.back_height - 5, 5, 5)


def _towel(ax: Axes, towel: Towel, line: float) -> None:
    """Draw a towel lying flat, or rucked up into a creased mound where it is bunched."""
    x0, x1 = towel.x
    thickness = 1.5
    steps = max(60, int((x1 - x0) * 4))
    xs = [lerp(x0, x1, i / steps) for i in range(steps + 1)]
    top = [(x, towel.y + thickness + _ruck(towel, x)) for x in xs]
    outline = [(x0, towel.y), *top, (x1, towel.y)]
    ax.add_patch(
        Polygon(
            outline,
            facecolor=TOWEL,
            edgecolor=TOWEL_STRIPE,
            linewidth=line * 0.8,
            joinstyle="round",
            zorder=3,
        )
    )
    band_x = x1 - 2.6
    if band_x > x0:
        ax.add_patch(
            Rectangle((band_x, towel.y), 1.2, thickness, color=TOWEL_STRIPE, zorder=3.1, lw=0)
        )
    if towel.bunch is not None and towel.height > 0.5:
        a, b = towel.bunch
        folds = _folds(towel)
        for k in range(folds):
            x = lerp(a, b, (k + 0.5) / folds)
            peak = towel.y + thickness + _ruck(towel, x)
            ax.plot(
                [x, x + 0.4],
                [peak - 0.3, lerp(towel.y, peak, 0.35)],
                color=TOWEL_STRIPE,
                linewidth=line * 0.8,
                solid_capstyle="round",
                zorder=3.2,
            )


def _folds(towel: Towel) -> int:
    if towel.bunch is None:
        return 0
    a, b = towel.bunch
    return max(2, round((b - a) / 3.5))


def _ruck(towel: Towel, x: float) -> float:
    """Return how high the towel is lifted at x by its folds: a mound with a wavy top."""
    if towel.bunch is None or towel.height <= 0:
        return 0.0
    a, b = towel.bunch
    if not a < x < b:
        return 0.0
    t = (x - a) / (b - a)
    ripple = 0.72 + 0.28 * abs(math.cos(math.pi * _folds(towel) * t))
    return float(towel.height * math.sin(math.pi * t) ** 0.6 * ripple)


def _ball(ax: Axes, ball: Ball, line: float) -> None:
    fill, mark = BALLS[ball.kind]
    radius = ball.size / 2
    cx, cy = ball.at
    ax.add_patch(
        Circle(ball.at, radius, facecolor=fill, edgecolor=OUTLINE, linewidth=line, zorder=5)
    )
    # Rolling without slipping: the markings turn by the distance travelled over the radius.
    turn = -cx / radius
    if ball.kind == "golf":
        for ring, count in ((0.0, 1), (0.42, 6), (0.75, 11)):
            for i in range(count):
                angle = turn + 2 * math.pi * i / count
                ax.add_patch(
                    Circle(
                        (
                            cx + ring * radius * math.cos(angle),
                            cy + ring * radius * math.sin(angle),
                        ),
                        radius * 0.1,
                        color=mark,
                        zorder=5.1,
                        lw=0,
                    )
                )
        return
    seam = []
    for i in range(25):
        s = -1 + 2 * i / 24
        x, y = s * radius * 0.78, 0.35 * radius * math.cos(math.pi * s)
        seam.append(
            (
                cx + x * math.cos(turn) - y * math.sin(turn),
                cy + x * math.sin(turn) + y * math.cos(turn),
            )
        )
    xs, ys = zip(*seam, strict=True)
    stitched = ball.kind in ("softball", "baseball")
    ax.plot(
        xs,
        ys,
        color=mark,
        linewidth=line * (1.6 if stitched else 2.2),
        linestyle=(0, (1.2, 0.9)) if stitched else "-",
        solid_capstyle="round",
        zorder=5.1,
    )
