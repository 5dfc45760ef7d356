"""The pose files: every exercise has a picture, and a broken pose file names file and id."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.poses import PoseError, parse_poses
from tests.conftest import KNOWLEDGE_DIR

# The variants the exercise ladder will need first (see the pictures issue).
REQUIRED_VARIANTS = {
    "ball_roll": {"default", "golf_ball", "softball"},
    "plank_calf_stretch": {"default"},
    "standing_calf_stretch": {"default", "step", "bent_knee"},
    "banded_toe_pull": {"default"},
    "towel_toe_curl": {"default", "weighted"},
    "standing_calf_raise": {"default", "one_leg", "step_lowering"},
}


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def edit(kdir: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = kdir / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def error_of(kdir: Path) -> str:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kdir)
    message = str(info.value)
    assert "\n" not in message, "the error must be one line"
    return message


def frame(data: dict[str, Any], variant: str = "default", number: int = 1) -> dict[str, Any]:
    found: dict[str, Any] = data["variants"][variant]["frames"][number - 1]
    return found


# -- the real knowledge ---------------------------------------------------------------------


def test_every_exercise_has_a_drawn_picture(knowledge):
    pictures = knowledge.pictures
    for exercise_id in knowledge.exercises:
        assert exercise_id in pictures.poses or exercise_id in pictures.supplied, exercise_id
    assert set(pictures.poses) == set(knowledge.exercises), "the project draws all six itself"


def test_the_ladders_variants_are_drawn(knowledge):
    for exercise_id, wanted in REQUIRED_VARIANTS.items():
        assert wanted <= set(knowledge.pictures.poses[exercise_id].variants), exercise_id


def test_foot_moves_are_close_ups_and_calf_moves_whole_figures(knowledge):
    views = {e: p.view for e, p in knowledge.pictures.poses.items()}
    assert views == {
        "ball_roll": "closeup",
        "banded_toe_pull": "closeup",
        "towel_toe_curl": "closeup",
        "plank_calf_stretch": "full",
        "standing_calf_stretch": "full",
        "standing_calf_raise": "full",
    }


def test_what_each_picture_shows(knowledge):
    poses = knowledge.pictures.poses

    def props(exercise_id: str, variant: str = "default") -> set[str]:
        frames = poses[exercise_id].variants[variant].frames
        return {name for f in frames for name, p in f.props if p is not None}

    assert {"ball", "chair", "floor"} <= props("ball_roll")
    assert {"towel", "chair"} <= props("towel_toe_curl")
    assert "weight" in props("towel_toe_curl", "weighted")
    assert "weight" not in props("towel_toe_curl")
    assert "band" in props("banded_toe_pull")
    assert "wall" in props("standing_calf_stretch")
    assert "step" in props("standing_calf_stretch", "step")
    assert "step" in props("standing_calf_raise", "step_lowering")
    assert "chair" in props("standing_calf_raise")
    kinds = {
        v: poses["ball_roll"].variants[v].frames[0].props.ball.kind
        for v in ("default", "golf_ball", "softball")
    }
    assert kinds == {"default": "lacrosse", "golf_ball": "golf", "softball": "softball"}


def test_the_stretched_heel_stays_down(knowledge):
    """In the wall stretch the back (near) heel never leaves the floor."""
    for variant in ("default", "bent_knee"):
        frames = knowledge.pictures.poses["standing_calf_stretch"].variants[variant].frames
        floor = frames[0].props.floor.y
        for f in frames[1:]:
            assert f.near["heel"][1] == pytest.approx(floor + 3.2, abs=0.3), (variant, f.label)


def test_the_calf_raise_rises(knowledge):
    frames = knowledge.pictures.poses["standing_calf_raise"].variants["default"].frames
    heels = [f.near["heel"][1] for f in frames]
    assert heels[1] > heels[0] + 5, "the heel lifts on the way up"
    assert heels[0] < heels[2] < heels[1], "and comes down slowly"


def test_the_toes_bend_in_the_toe_moves(knowledge):
    def toe_angle(f) -> float:
        (bx, by), (tx, ty) = f.near["ball"], f.near["toe"]
        (hx, hy) = f.near["heel"]
        return math.degrees(math.atan2(ty - by, tx - bx) - math.atan2(by - hy, bx - hx))

    pulls = knowledge.pictures.poses["banded_toe_pull"].variants["default"].frames
    assert toe_angle(pulls[1]) - toe_angle(pulls[0]) > 90, "toes forward, then pulled back"
    # The pull back works against the band: it is tied beyond the toes, not held towards the
    # shin (where it would pull the same way as the toes).
    for frame in pulls:
        band = frame.props.band
        assert band is not None and band.held is None and band.tied is not None
        assert band.tied[0] > max(frame.near["toe"][0], frame.near["toe_mid"][0]) + 5

    def knuckle(f) -> float:
        """Return how far the toe bends at its middle joint, in degrees."""
        (bx, by), (mx, my), (tx, ty) = f.near["ball"], f.near["toe_mid"], f.near["toe"]
        turn = math.atan2(ty - my, tx - mx) - math.atan2(my - by, mx - bx)
        return abs(math.degrees((turn + math.pi) % (2 * math.pi) - math.pi))

    curls = knowledge.pictures.poses["towel_toe_curl"].variants["default"].frames
    assert knuckle(curls[1]) - knuckle(curls[0]) > 60, "flat, then curled"
    towel = [f.props.towel for f in curls]
    assert towel[1].x[1] < towel[0].x[1] - 5, "the towel is pulled in"


# -- broken pose files ----------------------------------------------------------------------


def test_a_misspelt_joint(kdir):
    def misspell(d: dict[str, Any]) -> None:
        near = frame(d, number=2)["near"]
        near["kne"] = near.pop("knee")

    edit(kdir, "poses/standing_calf_raise.yaml", misspell)
    message = error_of(kdir)
    assert message.startswith("knowledge/poses/standing_calf_raise.yaml: standing_calf_raise")
    assert "frame 2" in message
    assert "missing joint 'near.knee'" in message


@pytest.mark.parametrize(
    ("band", "error"),
    [
        (
            {"around": "near.toe_mid", "held": "near.toe", "tied": [70, 23]},
            "a band needs exactly one of: held (a joint), tied (a point)",
        ),
        ({"around": "near.toe_mid"}, "a band needs exactly one of"),
        (
            {"around": "near.toe_mid", "tied": [90, 23]},
            "band (90, 23) is outside the canvas 76 x 44",
        ),
    ],
)
def test_a_broken_band(kdir, band: dict[str, Any], error: str) -> None:
    edit(
        kdir,
        "poses/banded_toe_pull.yaml",
        lambda d: d["variants"]["default"]["props"].update(band=band),
    )
    assert error in error_of(kdir)


def test_a_joint_the_view_does_not_have(kdir):
    edit(kdir, "poses/ball_roll.yaml", lambda d: frame(d)["near"].update(shoulder=[1, 1]))
    assert "unknown joint 'near.shoulder' in the closeup view" in error_of(kdir)


def test_one_frame_is_not_a_picture_of_a_move(kdir):
    edit(
        kdir,
        "poses/plank_calf_stretch.yaml",
        lambda d: d["variants"]["default"].update(frames=d["variants"]["default"]["frames"][:1]),
    )
    message = error_of(kdir)
    assert message.startswith("knowledge/poses/plank_calf_stretch.yaml: plank_calf_stretch")
    assert message.endswith("needs 2 to 4 frames")


def test_an_unknown_prop(kdir):
    edit(
        kdir,
        "poses/towel_toe_curl.yaml",
        lambda d: d["variants"]["default"]["props"].update(rope={"x": [1, 2]}),
    )
    message = error_of(kdir)
    assert message.startswith("knowledge/poses/towel_toe_curl.yaml: towel_toe_curl")
    assert message.endswith("unknown prop 'rope'")


def test_a_pose_file_for_an_unknown_exercise(kdir):
    shutil.copy(kdir / "poses/ball_roll.yaml", kdir / "poses/side_plank.yaml")
    assert error_of(kdir) == (
        "knowledge/poses/side_plank.yaml: side_plank: unknown exercise id 'side_plank'"
    )


def test_a_point_off_the_canvas(kdir):
    edit(
        kdir,
        "poses/standing_calf_stretch.yaml",
        lambda d: frame(d, number=3)["near"].update(hand=[1160, 140]),
    )
    message = error_of(kdir)
    assert "standing_calf_stretch variant 'default' frame 3" in message
    assert "near.hand (1160, 140) is outside the canvas" in message


def test_a_bone_that_changes_length(kdir):
    def typo(d: dict[str, Any]) -> None:
        knee = frame(d, number=2)["near"]["knee"]
        frame(d, number=2)["near"]["knee"] = [knee[0], knee[1] + 15]

    edit(kdir, "poses/standing_calf_raise.yaml", typo)
    message = error_of(kdir)
    assert "standing_calf_raise variant 'default' frame 2" in message
    assert "near.knee is" in message
    assert "cm, not about" in message


def test_a_label_too_long_for_a_phone(kdir):
    edit(
        kdir,
        "poses/ball_roll.yaml",
        lambda d: frame(d).update(label="Put the ball under your heel and press"),
    )
    assert "frame 1.label: String should have at most 24 characters" in error_of(kdir)


def test_a_band_tied_to_a_missing_joint(kdir):
    edit(
        kdir,
        "poses/banded_toe_pull.yaml",
        lambda d: d["variants"]["default"]["props"].update(
            band={"around": "near.toe_mid", "held": "far.hand"}
        ),
    )
    assert "the band refers to a missing joint 'far.hand'" in error_of(kdir)


def test_a_pose_file_that_is_not_yaml(kdir):
    (kdir / "poses/ball_roll.yaml").write_text("view: closeup\nvariants: [broken\n")
    message = error_of(kdir)
    assert message.startswith("knowledge/poses/ball_roll.yaml: line ")
    assert "not valid YAML" in message


def test_an_exercise_with_no_picture_at_all(kdir):
    (kdir / "poses/towel_toe_curl.yaml").unlink()
    assert error_of(kdir) == (
        "knowledge/exercises.yaml: exercises 'towel_toe_curl': no picture:"
        " add poses/towel_toe_curl.yaml or a `picture:` with a file"
    )


# -- a clinic's own picture -----------------------------------------------------------------


def supply(kdir: Path, exercise_id: str, file: str, credit: str = "Photo: Clinic X, CC BY 4.0"):
    def add(d: dict[str, Any]) -> None:
        for exercise in d["exercises"]:
            if exercise["id"] == exercise_id:
                exercise["picture"] = {"file": file, "credit": credit}

    edit(kdir, "exercises.yaml", add)


def test_a_supplied_picture_stands_in_for_the_drawn_one(kdir):
    (kdir / "poses/towel_toe_curl.yaml").unlink()
    (kdir / "media").mkdir()
    (kdir / "media/towel.png").write_bytes(b"\x89PNG not really")
    supply(kdir, "towel_toe_curl", "media/towel.png")
    knowledge = load_knowledge(kdir)
    assert knowledge.pictures.supplied == {"towel_toe_curl": kdir / "media/towel.png"}
    supplied = knowledge.exercises["towel_toe_curl"].picture
    assert supplied is not None and supplied.credit == "Photo: Clinic X, CC BY 4.0"
    assert "towel_toe_curl" not in knowledge.pictures.poses


def test_a_supplied_picture_must_exist(kdir):
    supply(kdir, "ball_roll", "media/ball.png")
    assert error_of(kdir) == (
        "knowledge/exercises.yaml: exercises 'ball_roll'.picture:"
        " file knowledge/media/ball.png not found"
    )


def test_a_supplied_picture_needs_a_credit(kdir):
    (kdir / "media").mkdir()
    (kdir / "media/ball.png").write_bytes(b"png")
    supply(kdir, "ball_roll", "media/ball.png", credit="  ")
    assert error_of(kdir).endswith("exercises 'ball_roll'.picture: the credit line is empty")


@pytest.mark.parametrize("file", ["../secrets.png", "/etc/passwd.png", "media/notes.txt"])
def test_a_supplied_picture_is_an_image_inside_knowledge(kdir, file):
    supply(kdir, "ball_roll", file)
    message = error_of(kdir)
    assert message.startswith("knowledge/exercises.yaml: exercises 'ball_roll'.picture:")
    assert "inside knowledge/" in message or "is not a PNG" in message


# -- variants that extend others ------------------------------------------------------------


def pose_file(**variants: dict[str, Any]) -> dict[str, Any]:
    base = {
        "props": {"floor": {"y": 4}, "ball": {"at": [30, 7], "size": 6, "kind": "lacrosse"}},
        "frames": [
            {"label": "Start", "near": closeup_leg(0.0)},
            {"label": "Roll", "near": closeup_leg(5.0), "props": {"ball": {"at": [36, 7]}}},
        ],
    }
    return {"view": "closeup", "canvas": [60, 60], "variants": {"default": base, **variants}}


def closeup_leg(dx: float) -> dict[str, Any]:
    joints = {
        "knee": [20, 55],
        "ankle": [27, 15],
        "heel": [22, 10],
        "ball": [38, 9],
        "toe": [44, 8],
    }
    return {k: [x + dx, y] if k != "knee" else [x, y] for k, (x, y) in joints.items()}


def test_a_variant_overrides_only_what_changes():
    data = pose_file(
        golf_ball={
            "extends": "default",
            "props": {"ball": {"size": 4.3, "kind": "golf"}},
            "frames": [{}, {"label": "Roll the golf ball", "props": {"ball": {"at": [35, 6]}}}],
        },
        flat={"extends": "golf_ball", "props": {"ball": None}},
    )
    poses = parse_poses("ball_roll", data, "poses/ball_roll.yaml")
    default, golf, flat = (poses.variants[v] for v in ("default", "golf_ball", "flat"))
    assert golf.frames[0].near == default.frames[0].near
    assert golf.frames[0].label == "Start"
    assert golf.frames[1].label == "Roll the golf ball"
    balls = [f.props.ball for f in golf.frames]
    assert [(b.at, b.size, b.kind) for b in balls if b] == [
        ((30, 7), 4.3, "golf"),
        ((35, 6), 4.3, "golf"),
    ]
    ball = default.frames[1].props.ball
    assert ball is not None and ball.at == (36, 7)
    assert all(f.props.ball is None for f in flat.frames), "null removes an inherited prop"
    assert flat.frames[1].label == "Roll the golf ball", "extends chains"
    assert all(f.props.floor is not None for f in flat.frames)


def test_a_variant_may_add_a_frame():
    extra = {"label": "Back", "near": closeup_leg(2.0)}
    data = pose_file(longer={"extends": "default", "frames": [{}, {}, extra]})
    poses = parse_poses("ball_roll", data, "poses/ball_roll.yaml")
    assert [f.label for f in poses.variants["longer"].frames] == ["Start", "Roll", "Back"]


@pytest.mark.parametrize(
    ("variants", "problem"),
    [
        ({"golf": {"extends": "tennis"}}, "extends unknown variant 'tennis'"),
        ({"a": {"extends": "b"}, "b": {"extends": "a"}}, "extends itself"),
        ({"Golf Ball": {"extends": "default"}}, "lower_case_with_underscores"),
    ],
)
def test_a_broken_extends(variants, problem):
    with pytest.raises(PoseError) as info:
        parse_poses("ball_roll", pose_file(**variants), "poses/ball_roll.yaml")
    assert info.value.file == "poses/ball_roll.yaml"
    assert info.value.where.startswith("ball_roll variant ")
    assert problem in info.value.problem


def test_a_pose_file_needs_a_default_variant():
    data = pose_file()
    data["variants"]["golf_ball"] = data["variants"].pop("default")
    with pytest.raises(PoseError, match="needs a 'default' variant"):
        parse_poses("ball_roll", data, "poses/ball_roll.yaml")
