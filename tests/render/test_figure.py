"""One key frame drawn on an Axes: what a newcomer must be able to read in it."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from bot.core.knowledge import Knowledge
from bot.core.poses import Band, ExercisePoses, Frame, Variant
from bot.render.figure import R_HAND, draw_scene
from bot.render.style import BAND, OUTLINE, WOOD, Pen


def points(line: Line2D) -> list[tuple[float, float]]:
    """Return a line's points in data coordinates, as plain floats."""
    return [(float(x), float(y)) for x, y in np.asarray(line.get_xydata())]


def drawn(poses: ExercisePoses, variant: Variant, frame: Frame) -> Axes:
    """Draw one frame of a variant on an Axes of its canvas, as the pictures do."""
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, variant.canvas[0])
    ax.set_ylim(0, variant.canvas[1])
    draw_scene(ax, poses, variant.canvas, frame, Pen(pt_per_cm=4.0, panel_pt=300.0))
    return ax


def test_the_hand_holding_the_band_has_fingers_round_it(knowledge: Knowledge) -> None:
    # A bare round hand at the band's end read as a stump with the band glued on. No pose
    # holds a band now (the toe pull's is tied to a table leg), so one is made from it.
    poses = knowledge.pictures.poses["banded_toe_pull"]
    variant = poses.variants["default"]
    tied = variant.frames[0]
    frame = tied.model_copy(
        update={
            "near": {**tied.near, "elbow": (0.0, 41.0), "hand": (8.0, 33.0)},
            "props": tied.props.model_copy(
                update={"band": Band(around="near.toe_mid", held="near.hand")}
            ),
        }
    )
    ax = drawn(poses, variant, frame)
    hand = frame.near["hand"]

    def near_hand(x: float, y: float, reach: float = R_HAND + 1.5) -> bool:
        return math.dist((x, y), hand) <= reach

    # Finger shapes over the band's strands, each within reach of the hand (a shape is drawn
    # twice: its outline, then its fill; the palm alone makes one such pair).
    band_z = min(line.get_zorder() for line in ax.lines if line.get_color() == BAND)
    over_band = [
        c for c in ax.collections if isinstance(c, PolyCollection) and c.get_zorder() > band_z
    ]
    fingers = [
        path
        for c in over_band
        for path in c.get_paths()
        if near_hand(*(float(v) for v in np.asarray(path.vertices).mean(axis=0)))
    ]
    assert len(fingers) >= 2 * (1 + 4), "four fingers close over the band"
    gaps = [
        line
        for line in ax.lines
        if line.get_color() == OUTLINE and all(near_hand(x, y) for x, y in points(line))
    ]
    assert len(gaps) >= 3, "lines between the fingers"
    # The band goes through the fist: its loose end comes out on the far side from the toes.
    toes = frame.near["toe_mid"]
    ends = [
        (x, y)
        for line in ax.lines
        if line.get_color() == BAND
        for x, y in points(line)
        if math.dist((x, y), hand) > R_HAND
    ]
    assert any(math.dist(end, toes) > math.dist(hand, toes) + R_HAND for end in ends)


def test_a_band_tied_to_a_table_leg_runs_from_the_knot_to_the_toes(knowledge: Knowledge) -> None:
    poses = knowledge.pictures.poses["banded_toe_pull"]
    variant = poses.variants["default"]
    frame = variant.frames[1]
    band = frame.props.band
    assert band is not None and band.tied is not None
    ax = drawn(poses, variant, frame)
    # The table leg stands from the floor to the top, its near face at the knot.
    legs = [
        p
        for p in ax.patches
        if isinstance(p, Rectangle) and to_hex(p.get_facecolor()) == WOOD.lower()
    ]
    assert [round(p.get_x(), 1) for p in legs] == [band.tied[0]]
    assert legs[0].get_height() > variant.canvas[1] - 5
    # Both strands run from the knot to the loop round the toes.
    toes = frame.near["toe_mid"]
    strands = [
        points(line)
        for line in ax.lines
        if line.get_color() == BAND and math.dist(points(line)[0], band.tied) < 0.01
    ]
    assert sum(math.dist(s[-1], toes) < 3 for s in strands) == 2
