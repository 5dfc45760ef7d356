"""Draw one key frame on a matplotlib Axes: props, a friendly rounded figure, arrows."""

from __future__ import annotations

import math

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch

from bot.core.poses import Arrow, ExercisePoses, Frame, Point
from bot.render.motion import lerp, lerp_point
from bot.render.props import draw_room
from bot.render.style import (
    ARROW,
    BAND,
    FAR_FADE,
    FEEL,
    HAIR,
    INK,
    NAIL,
    OUTLINE,
    SHIRT,
    SHORTS,
    SKIN,
    Pen,
    Shapes,
    circle,
    cross,
    dot,
    fade,
    unit,
)

# Half-thicknesses of the body in centimetres, at each joint.
R_HEAD, R_NECK = 12.0, 3.9
R_CHEST, R_WAIST, R_PELVIS = 9.6, 9.2, 8.8
R_HIP, R_KNEE_THIGH, R_KNEE, R_CALF, R_ANKLE = 7.6, 5.4, 5.0, 5.0, 3.3
R_HEEL, R_BALL, R_TOE_MID, R_TOE = 3.2, 2.4, 1.8, 1.4
R_SHOULDER, R_ELBOW, R_WRIST, R_HAND = 4.6, 3.5, 2.7, 3.6


def draw_scene(
    ax: Axes,
    poses: ExercisePoses,
    canvas: tuple[float, float],
    frame: Frame,
    pen: Pen,
    *,
    arrows: bool = True,
) -> None:
    """Draw one frame of an exercise onto `ax`, whose limits are the variant's canvas."""
    width, height = canvas
    outline = max(0.9, min(2.2, pen.pt(0.35)))
    draw_room(ax, frame.props, width, height, pen)
    if poses.view == "full":
        _arm(frame, "far", fade_by=FAR_FADE).draw(ax, outline, 10)
        _leg(frame, "far", fade_by=FAR_FADE).draw(ax, outline, 11)
        _trunk(frame).draw(ax, outline, 12)
        _head(ax, frame, poses.facing, outline, 13)
        _leg(frame, "near").draw(ax, outline, 14)
        _arm(frame, "near").draw(ax, outline, 15)
    else:
        _leg(frame, "near").draw(ax, outline, 14)
        if "hand" in frame.near:
            _arm(frame, "near").draw(ax, outline, 15)
    if poses.view == "closeup":  # too small to see on a whole figure
        _toenail(ax, frame)
    for feel in frame.feel:
        _glow(ax, frame, feel)
    if frame.props.band is not None:
        _band(ax, frame, pen)
        _fist(ax, frame, outline)
    if arrows:
        for arrow in frame.arrows:
            _arrow(ax, arrow, pen)


# -- the figure -----------------------------------------------------------------------------


def _colour(colour: str, fade_by: float) -> str:
    return fade(colour, fade_by) if fade_by else colour


def _leg(frame: Frame, side: str, fade_by: float = 0.0) -> Shapes:
    joints = frame.near if side == "near" else frame.far
    skin, shorts = _colour(SKIN, fade_by), _colour(SHORTS, fade_by)
    shapes = Shapes()
    knee, ankle = joints["knee"], joints["ankle"]
    hip = frame.body.get("hip") or joints.get("hip")
    if hip is not None:
        shapes.blob(hip, R_HIP, knee, R_KNEE_THIGH, skin)
    shapes.blob(knee, R_KNEE, ankle, R_ANKLE, skin)
    heel, ball, toe = joints["heel"], joints["ball"], joints["toe"]
    calf = _behind_shin(joints, 0.32, 1.7)
    shapes.blob(knee, R_KNEE, calf, R_CALF, skin)
    shapes.blob(calf, R_CALF, ankle, R_ANKLE, skin)
    shapes.add(_foot_outline(heel, ball, ankle), skin)
    mid = joints.get("toe_mid")
    if mid is not None:
        shapes.blob(ball, R_BALL * 0.9, mid, R_TOE_MID, skin)
        shapes.blob(mid, R_TOE_MID, toe, R_TOE, skin)
    else:
        shapes.blob(ball, R_BALL * 0.9, toe, R_TOE, skin)
    if hip is not None:
        hem = lerp_point(hip, knee, 0.55)
        shapes.blob(hip, R_HIP + 0.5, hem, lerp(R_HIP, R_KNEE_THIGH, 0.55) + 0.6, shorts)
    return shapes


# A foot seen from the side, in centimetres: the heel's centre at the origin, the ball of the
# foot's centre at (15.5, -0.8), the ankle above; a flat sole with a slight arch, the heel's
# bump, the instep and the Achilles. The toes are drawn on from the ball of the foot.
_FOOT = (
    (0.0, -3.2),
    (3.0, -3.15),
    (6.0, -2.8),
    (9.0, -2.6),
    (12.0, -2.9),
    (14.5, -3.2),
    (16.3, -3.05),
    (17.6, -2.2),
    (17.9, -0.8),
    (17.4, 0.9),
    (15.5, 1.7),
    (12.0, 2.9),
    (9.0, 4.2),
    (7.2, 6.0),
    (6.6, 8.4),
    (1.6, 8.8),
    (0.2, 6.0),
    (-1.6, 3.6),
    (-2.9, 1.6),
    (-3.25, 0.0),
    (-3.0, -1.3),
    (-2.3, -2.4),
    (-1.2, -3.0),
)
_FOOT_BALL = (15.5, -0.8)


def _foot_outline(heel: Point, ball: Point, ankle: Point) -> list[Point]:
    """Return the foot's outline placed on its heel and ball joints, ankle side up."""
    scale = math.dist(heel, ball) / math.hypot(*_FOOT_BALL)
    flip = -1.0 if cross(_towards(heel, ball), _towards(heel, ankle)) < 0 else 1.0
    turn = math.atan2(ball[1] - heel[1], ball[0] - heel[0])
    turn -= flip * math.atan2(_FOOT_BALL[1], _FOOT_BALL[0])
    cos, sin = math.cos(turn), math.sin(turn)
    outline = []
    for x, y in _FOOT:
        x, y = x * scale, y * flip
        outline.append((heel[0] + x * cos - y * sin, heel[1] + x * sin + y * cos))
    return outline


def _behind_shin(joints: dict[str, Point], along: float, out: float) -> Point:
    """Return a point `along` the way down the shin and `out` cm behind it, on the heel's side."""
    knee, ankle, heel, ball = joints["knee"], joints["ankle"], joints["heel"], joints["ball"]
    normal = unit((-(ankle[1] - knee[1]), ankle[0] - knee[0]))
    if dot(normal, (heel[0] - ball[0], heel[1] - ball[1])) < 0:
        normal = (-normal[0], -normal[1])
    point = lerp_point(knee, ankle, along)
    return (point[0] + out * normal[0], point[1] + out * normal[1])


def _arm(frame: Frame, side: str, fade_by: float = 0.0) -> Shapes:
    joints = frame.near if side == "near" else frame.far
    skin, shirt = _colour(SKIN, fade_by), _colour(SHIRT, fade_by)
    shapes = Shapes()
    hand = joints["hand"]
    elbow = joints.get("elbow")
    shoulder = frame.body.get("shoulder")
    if shoulder is not None and elbow is not None:
        shapes.blob(shoulder, R_SHOULDER, elbow, R_ELBOW, skin)
    if elbow is not None:
        shapes.blob(elbow, R_ELBOW, hand, R_WRIST, skin)
    shapes.add(circle(hand, R_HAND), skin)
    if shoulder is not None and elbow is not None:
        sleeve = lerp_point(shoulder, elbow, 0.5)
        shapes.blob(shoulder, R_SHOULDER + 0.7, sleeve, lerp(R_SHOULDER, R_ELBOW, 0.5) + 0.7, shirt)
    return shapes


def _trunk(frame: Frame) -> Shapes:
    body = frame.body
    hip, shoulder, neck, head = body["hip"], body["shoulder"], body["neck"], body["head"]
    shapes = Shapes()
    throat = lerp_point(neck, head, 0.55)
    shapes.blob(shoulder, R_NECK, throat, R_NECK, SKIN)
    shapes.add(circle(hip, R_PELVIS), SHORTS)
    waist = lerp_point(hip, shoulder, 0.22)
    shapes.blob(waist, R_WAIST, shoulder, R_CHEST, SHIRT)
    return shapes


def _head(ax: Axes, frame: Frame, facing: str, outline: float, zorder: float) -> None:
    neck, head = frame.body["neck"], frame.body["head"]
    up = unit((head[0] - neck[0], head[1] - neck[1]))
    face = (up[1], -up[0]) if facing == "right" else (-up[1], up[0])
    shapes = Shapes()
    nose = (head[0] + 0.93 * R_HEAD * face[0], head[1] + 0.93 * R_HEAD * face[1] - 0.5 * up[1])
    shapes.add(circle(nose, 0.2 * R_HEAD), SKIN)
    shapes.add(circle(head, R_HEAD), SKIN)
    # Hair over the crown and the back of the head, so the face side reads at a glance.
    start = math.degrees(math.atan2(up[1], up[0])) + (-35 if facing == "right" else 35)
    sweep = 170 if facing == "right" else -170
    hair = [head]
    for i in range(21):
        angle = math.radians(start + sweep * i / 20)
        hair.append((head[0] + R_HEAD * math.cos(angle), head[1] + R_HEAD * math.sin(angle)))
    shapes.add(hair, HAIR)
    shapes.draw(ax, outline, zorder)
    eye = (
        head[0] + 0.5 * R_HEAD * face[0] + 0.12 * R_HEAD * up[0],
        head[1] + 0.5 * R_HEAD * face[1] + 0.12 * R_HEAD * up[1],
    )
    ax.add_patch(Circle(eye, 0.11 * R_HEAD, color=INK, zorder=zorder + 0.2, linewidth=0))


def _toenail(ax: Axes, frame: Frame) -> None:
    """Mark the big toe's nail, which tells the toes from the heel even when they curl."""
    joints = frame.near
    heel, ball, toe, ankle = joints["heel"], joints["ball"], joints["toe"], joints["ankle"]
    before = joints.get("toe_mid", ball)
    along = unit((toe[0] - before[0], toe[1] - before[1]))
    # The nail is on the toe's top, the side the ankle is on.
    up = 1.0 if cross(_towards(heel, ball), _towards(heel, ankle)) > 0 else -1.0
    top = (-along[1] * up, along[0] * up)
    nail = (
        toe[0] - 0.1 * along[0] + 0.75 * R_TOE * top[0],
        toe[1] - 0.1 * along[1] + 0.75 * R_TOE * top[1],
    )
    ax.add_patch(Circle(nail, 0.55 * R_TOE, color=NAIL, zorder=16, linewidth=0))


def _towards(a: Point, b: Point) -> Point:
    return (b[0] - a[0], b[1] - a[1])


def _glow(ax: Axes, frame: Frame, feel: str) -> None:
    """Show where the stretch or the work is felt: a soft red glow on that part."""
    side, _, part = feel.partition(".")
    joints = frame.near if side == "near" else frame.far
    knee, heel, ball = joints["knee"], joints["heel"], joints["ball"]
    centre, radius = {
        "calf": (_behind_shin(joints, 0.35, 2.5), 7.5),
        "achilles": (_behind_shin(joints, 0.8, 2.2), 6.5),
        "sole": (lerp_point(heel, ball, 0.5), 6.0),
        "arch": (lerp_point(heel, ball, 0.55), 4.5),
        "toes": (joints["toe"], 3.5),
        "thigh": (lerp_point(frame.body.get("hip", knee), knee, 0.5), 8.0),
    }[part]
    for scale, alpha in ((1.0, 0.16), (0.72, 0.2), (0.45, 0.26)):
        ax.add_patch(
            Circle(centre, radius * scale, color=FEEL, alpha=alpha, zorder=17, linewidth=0)
        )


def _band(ax: Axes, frame: Frame, pen: Pen) -> None:
    """Draw a band from the hand, or a knot on a table leg (drawn with the room), to a loop
    round the toes: strands behind, the loop in front."""
    band = frame.props.band
    assert band is not None
    around = frame.joint(band.around)
    held = band.tied or (frame.joint(band.held) if band.held else None)
    if around is None or held is None:
        return
    away = unit((around[0] - held[0], around[1] - held[1]))
    side = (-away[1], away[0])
    spread = R_TOE_MID + 0.2
    a = (around[0] + spread * side[0], around[1] + spread * side[1])
    b = (around[0] - spread * side[0], around[1] - spread * side[1])
    width = max(2.0, pen.pt(0.7))
    if band.tied is not None:
        # The knot's loose end hangs down the leg.
        tail = (held[0] + 0.4, held[1] - 4.0)
    else:
        # The band's loose end hangs out of the fist: it goes through the hand, not into it.
        hang = unit((-away[0] - 0.9 * abs(away[0]), -away[1] - 1.2))
        tail = (held[0] + 6.0 * hang[0], held[1] + 6.0 * hang[1])
    ax.plot(
        [held[0], tail[0]],
        [held[1], tail[1]],
        color=BAND,
        linewidth=width * 1.3,
        solid_capstyle="round",
        zorder=13.5,
    )
    for end in (a, b):
        ax.plot(
            [held[0], end[0]],
            [held[1], end[1]],
            color=BAND,
            linewidth=width,
            solid_capstyle="round",
            zorder=13.5,
        )
    ax.plot(
        [a[0], b[0]],
        [a[1], b[1]],
        color=BAND,
        linewidth=width * 1.3,
        solid_capstyle="round",
        zorder=16.5,
    )
    if band.tied is not None:
        ax.add_patch(Circle(held, 0.9, color=BAND, zorder=13.6, linewidth=0))


def _fist(ax: Axes, frame: Frame, outline: float) -> None:
    """Close the hand round the band: curled fingers over it and a thumb on top.

    A bare round hand at the band's end read as a stump with the band glued on; fingers that
    wrap the band say "hold it here" at a glance.
    """
    band = frame.props.band
    assert band is not None
    if band.held is None or not band.held.endswith("hand"):
        return
    around, held = frame.joint(band.around), frame.joint(band.held)
    if around is None or held is None:
        return
    away = unit((around[0] - held[0], around[1] - held[1]))
    up = (-away[1], away[0]) if away[0] >= 0 else (away[1], -away[0])

    def at(along: float, over: float) -> Point:
        return (held[0] + along * away[0] + over * up[0], held[1] + along * away[1] + over * up[1])

    # Four fingers side by side along the band, each a rounded segment crossing it.
    fingers = Shapes()
    finger_r = 1.05
    for along in (-1.6, -0.53, 0.53, 1.6):
        fingers.blob(at(along, 1.7), finger_r, at(along, -1.9), finger_r, SKIN)
    fingers.draw(ax, outline, 15.6)
    for along in (-1.07, 0.0, 1.07):  # the gaps between the fingers
        ax.plot(
            *zip(at(along, 1.6), at(along, -2.3), strict=True),
            color=OUTLINE,
            linewidth=outline,
            solid_capstyle="round",
            zorder=15.8,
        )
    thumb = Shapes()
    thumb.blob(at(-2.2, 2.4), 1.25, at(0.9, 2.5), 1.1, SKIN)
    thumb.draw(ax, outline, 15.9)


def _arrow(ax: Axes, arrow: Arrow, pen: Pen) -> None:
    width = pen.panel_pt * 0.015
    style = "<|-|>" if arrow.both else "-|>"
    patch = FancyArrowPatch(
        arrow.start,
        arrow.end,
        arrowstyle=f"{style},head_length={width * 0.75},head_width={width * 0.6}",
        connectionstyle=f"arc3,rad={-arrow.bend}",
        mutation_scale=4,
        linewidth=width,
        color=ARROW,
        capstyle="round",
        joinstyle="round",
        shrinkA=0,
        shrinkB=0,
        zorder=20,
    )
    patch.set_path_effects(
        [patheffects.Stroke(linewidth=width + 4, foreground="white"), patheffects.Normal()]
    )
    ax.add_patch(patch)
