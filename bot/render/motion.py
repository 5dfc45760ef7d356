"""Plane geometry for the figure: limb outlines, two-bone reach, and in-between frames."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from bot.core.poses import Frame, Point, Props

# The limbs that keep their length while the animation moves between key frames: the middle
# joint is placed again after the ends have moved, bent to the same side as before.
_CHAINS = (
    ("body.hip", "side.knee", "side.ankle"),
    ("side.hip", "side.knee", "side.ankle"),
    ("body.shoulder", "side.elbow", "side.hand"),
)


def lerp(a: float, b: float, t: float) -> float:
    """Return the value a fraction t of the way from a to b."""
    return a + (b - a) * t


def lerp_point(a: Point, b: Point, t: float) -> Point:
    """Return the point a fraction t of the way from a to b."""
    return (lerp(a[0], b[0], t), lerp(a[1], b[1], t))


def ease(t: float) -> float:
    """Return t eased in and out, so a move starts and ends gently."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, t)))


def capsule(a: Point, ra: float, b: Point, rb: float, steps: int = 12) -> list[Point]:
    """Return the outline of the rounded shape that joins a circle at a to a circle at b."""
    distance = math.dist(a, b)
    if distance <= abs(ra - rb) + 1e-6:
        (cx, cy), r = (a, ra) if ra >= rb else (b, rb)
        return [
            (
                cx + r * math.cos(2 * math.pi * i / (2 * steps)),
                cy + r * math.sin(2 * math.pi * i / (2 * steps)),
            )
            for i in range(2 * steps)
        ]
    heading = math.atan2(b[1] - a[1], b[0] - a[0])
    spread = math.acos((ra - rb) / distance)
    points: list[Point] = []
    for i in range(steps + 1):  # round the back of a
        angle = heading + spread + (2 * math.pi - 2 * spread) * i / steps
        points.append((a[0] + ra * math.cos(angle), a[1] + ra * math.sin(angle)))
    for i in range(steps + 1):  # and the front of b
        angle = heading - spread + 2 * spread * i / steps
        points.append((b[0] + rb * math.cos(angle), b[1] + rb * math.sin(angle)))
    return points


def reach(root: Point, end: Point, first: float, second: float, bend: float) -> Point:
    """Return the middle joint of a two-bone limb from root to end, bent to the side of `bend`.

    `bend` > 0 bends to the left of the way from root to end (counter-clockwise).
    """
    distance = math.dist(root, end)
    distance = min(max(distance, abs(first - second) + 1e-6), first + second - 1e-6)
    cos_root = (first * first + distance * distance - second * second) / (2 * first * distance)
    angle = math.atan2(end[1] - root[1], end[0] - root[0])
    angle += math.copysign(math.acos(max(-1.0, min(1.0, cos_root))), bend)
    return (root[0] + first * math.cos(angle), root[1] + first * math.sin(angle))


def side_of(root: Point, end: Point, point: Point) -> float:
    """Return > 0 when point lies to the left of the way from root to end, < 0 to the right."""
    return (end[0] - root[0]) * (point[1] - root[1]) - (end[1] - root[1]) * (point[0] - root[0])


def between(a: Frame, b: Frame, t: float) -> Frame:
    """Return the frame a fraction t of the way from a to b, limbs keeping their lengths."""
    parts: dict[str, dict[str, Point]] = {}
    for part in ("body", "near", "far"):
        start: dict[str, Point] = getattr(a, part)
        stop: dict[str, Point] = getattr(b, part)
        parts[part] = {
            name: lerp_point(start[name], stop[name], t) for name in start if name in stop
        }
    for side in ("near", "far"):
        for chain in _CHAINS:
            root_name, middle_name, end_name = (name.replace("side", side) for name in chain)
            _straighten(a, b, t, parts, (root_name, middle_name, end_name))
    return b.model_copy(
        update={
            "body": parts["body"],
            "near": parts["near"],
            "far": parts["far"],
            "props": _between_props(a.props, b.props, t),
        }
    )


def _straighten(
    a: Frame, b: Frame, t: float, parts: dict[str, dict[str, Point]], names: tuple[str, ...]
) -> None:
    """Place the middle joint again so that both bones keep their key-frame lengths."""
    found_a = [a.joint(name) for name in names]
    found_b = [b.joint(name) for name in names]
    if any(p is None for p in (*found_a, *found_b)):
        return
    ra, ma, ea = (p for p in found_a if p is not None)
    rb, mb, eb = (p for p in found_b if p is not None)
    here = [parts[name.partition(".")[0]][name.partition(".")[2]] for name in names]
    first = lerp(math.dist(ra, ma), math.dist(rb, mb), t)
    second = lerp(math.dist(ma, ea), math.dist(mb, eb), t)
    # Bend the way the more bent key frame bends; a straight limb stays straight.
    bend_a, bend_b = side_of(ra, ea, ma), side_of(rb, eb, mb)
    bend = bend_a if abs(bend_a) >= abs(bend_b) else bend_b
    if abs(bend) < 1e-6:
        return
    part, _, joint = names[1].partition(".")
    parts[part][joint] = reach(here[0], here[2], first, second, bend)


def _between_props(a: Props, b: Props, t: float) -> Props:
    update: dict[str, Any] = {}
    for name in Props.model_fields:
        start, stop = getattr(a, name), getattr(b, name)
        if start is None or stop is None:
            update[name] = stop if t >= 0.5 or start is None else start
            continue
        update[name] = stop.model_copy(
            update={
                field: _between_values(getattr(start, field), getattr(stop, field), t)
                for field in type(stop).model_fields
            }
        )
    return b.model_copy(update=update)


def _between_values(a: Any, b: Any, t: float) -> Any:
    if isinstance(a, bool) or isinstance(b, bool):
        return b if t >= 0.5 else a
    if isinstance(a, float | int) and isinstance(b, float | int):
        return lerp(a, b, t)
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return tuple(_between_values(x, y, t) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return b if a is None else a
    return b if t >= 0.5 else a


def timeline(frames: Sequence[Frame], step: float) -> Iterator[tuple[Frame, int, float]]:
    """Yield (frame, key frame index, seconds shown) for one loop through the key frames.

    The loop rests on each key frame for its `hold` and eases into the next one over its
    `move`, in steps of `step` seconds; after the last frame it eases back to the first.
    In-between frames carry the label of the key frame they move towards.
    """
    count = len(frames)
    for index in range(count):
        yield frames[index], index, frames[index].hold
        following = (index + 1) % count
        target = frames[following]
        steps = max(2, round(target.move / step))
        for i in range(1, steps):
            # Arrows and the glow belong to the pose they are drawn for: shown when it is held.
            moving = between(frames[index], target, ease(i / steps))
            yield moving.model_copy(update={"arrows": (), "feel": ()}), following, step
