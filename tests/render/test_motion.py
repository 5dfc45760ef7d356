"""In-between frames: limbs keep their length, moves ease in and out, the loop closes."""

from __future__ import annotations

import math

import pytest

from bot.render.motion import between, capsule, ease, reach, timeline

BONES = (("body.hip", "near.knee"), ("near.knee", "near.ankle"), ("body.shoulder", "near.elbow"))


def length(frame, a: str, b: str) -> float | None:
    p, q = frame.joint(a), frame.joint(b)
    return None if p is None or q is None else math.dist(p, q)


def test_limbs_keep_their_length_half_way(knowledge):
    checked = 0
    for poses in knowledge.pictures.poses.values():
        for variant in poses.variants.values():
            frames = variant.frames
            for a, b in zip(frames, [*frames[1:], frames[0]], strict=True):
                middle = between(a, b, 0.5)
                for start, end in BONES:
                    ends = [length(f, start, end) for f in (a, b, middle)]
                    la, lb, lm = ends
                    if la is None or lb is None or lm is None:
                        continue
                    assert lm == pytest.approx((la + lb) / 2, rel=0.03), (poses.exercise, start)
                    checked += 1
    assert checked > 50


def test_between_starts_and_ends_on_the_key_frames(knowledge):
    frames = knowledge.pictures.poses["standing_calf_raise"].variants["default"].frames
    for name in ("near", "body"):
        start = getattr(between(frames[0], frames[1], 0.0), name)
        stop = getattr(between(frames[0], frames[1], 1.0), name)
        for joint, point in start.items():
            assert point == pytest.approx(getattr(frames[0], name)[joint], abs=0.05)
            assert stop[joint] == pytest.approx(getattr(frames[1], name)[joint], abs=0.05)


def test_props_move_with_the_frames(knowledge):
    frames = knowledge.pictures.poses["ball_roll"].variants["default"].frames
    first, second = frames[0].props.ball, frames[1].props.ball
    middle = between(frames[0], frames[1], 0.5).props.ball
    assert first is not None and second is not None and middle is not None
    x0, x1 = first.at[0], second.at[0]
    assert x0 != x1
    assert middle.at[0] == pytest.approx((x0 + x1) / 2)


def test_the_timeline_rests_on_each_key_frame_and_loops(knowledge):
    frames = knowledge.pictures.poses["standing_calf_stretch"].variants["default"].frames
    shown = list(timeline(frames, 0.08))
    holds = [(index, seconds) for frame, index, seconds in shown if frame in frames]
    assert holds == [(i, f.hold) for i, f in enumerate(frames)]
    moving = [frame for frame, _, _ in shown if frame not in frames]
    assert moving and all(not f.arrows and not f.feel for f in moving)
    assert shown[-1][1] == 0, "the last move heads back to the first frame"


def test_ease_starts_and_stops_gently():
    assert ease(0) == 0 and ease(1) == 1 and ease(0.5) == pytest.approx(0.5)
    assert ease(0.1) < 0.1 and ease(0.9) > 0.9


def test_reach_puts_the_middle_joint_on_both_bones():
    knee = reach((0, 90), (0, 10), 44, 45, bend=1)
    assert math.dist((0, 90), knee) == pytest.approx(44)
    assert math.dist(knee, (0, 10)) == pytest.approx(45)
    assert knee[0] > 0, "bent to the left of the way down, which is forward for a knee"
    assert reach((0, 90), (0, 10), 44, 45, bend=-1)[0] < 0


def test_a_capsule_hugs_both_circles():
    outline = capsule((0, 0), 5, (20, 0), 2)
    assert max(x for x, _ in outline) == pytest.approx(22, abs=0.1)
    assert min(x for x, _ in outline) == pytest.approx(-5, abs=0.1)
    assert max(y for _, y in outline) == pytest.approx(5, abs=0.2)
