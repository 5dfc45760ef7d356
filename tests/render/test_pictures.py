"""Exercise pictures: a phone-wide PNG of the key frames and a looping GIF, for every variant."""

from __future__ import annotations

import ast
import io
import shutil
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageSequence

from bot.__main__ import main
from bot.core.knowledge import Knowledge, load_knowledge
from bot.render.pictures import (
    STILL_WIDTH,
    draw_animation,
    draw_still,
    gif_size,
    layout,
    picture_for,
    write_all,
)
from bot.render.style import SKIN
from tests.conftest import KNOWLEDGE_DIR

Drawn = dict[tuple[str, str], tuple[bytes, bytes]]


@pytest.fixture(scope="session")
def drawn(knowledge: Knowledge) -> Drawn:
    """Draw every variant of every exercise once for the whole session."""
    # How long this takes is bench/bench_pictures.py's to say: a timed test fails on a busy
    # machine.
    result: Drawn = {}
    for exercise_id, poses in knowledge.pictures.poses.items():
        for variant in poses.variants:
            result[exercise_id, variant] = (
                draw_still(poses, variant),
                draw_animation(poses, variant),
            )
    return result


def skin_share(image: Image.Image) -> float:
    """Return the share of pixels that have the figure's skin colour."""
    rgb = image.convert("RGB")
    target = tuple(int(SKIN[i : i + 2], 16) for i in (1, 3, 5))
    colours = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    hits = sum(
        count
        for count, colour in colours
        # An RGB image gives its colours as (r, g, b) tuples, never as single floats.
        if isinstance(colour, tuple)
        and sum(abs(a - b) for a, b in zip(colour, target, strict=True)) < 12
    )
    return hits / (rgb.width * rgb.height)


def test_every_variant_is_drawn(knowledge, drawn):
    expected = {(e, v) for e, p in knowledge.pictures.poses.items() for v in p.variants}
    assert set(drawn) == expected
    assert len(expected) >= 13


def test_a_still_is_phone_wide_with_one_panel_per_key_frame(knowledge, drawn):
    for (exercise_id, variant), (png, _) in drawn.items():
        chosen = knowledge.pictures.poses[exercise_id].variants[variant]
        grid = layout(chosen.canvas, len(chosen.frames))
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.size == (STILL_WIDTH, grid.height), (exercise_id, variant)
        assert grid.columns * grid.rows >= len(chosen.frames) > (grid.columns * grid.rows) - 2
        if chosen.canvas[0] < chosen.canvas[1] * 1.5:
            assert (grid.columns, grid.rows) == (len(chosen.frames), 1), "side by side"
        # Every panel has the figure in it: the skin colour shows in each one.
        for index in range(len(chosen.frames)):
            x, y = grid.panel(index)
            panel = image.crop((x, y, x + grid.panel_width, y + grid.drawing_height))
            assert skin_share(panel) > 0.01, (exercise_id, variant, index)


def test_an_animation_loops_and_moves_between_the_key_frames(knowledge, drawn):
    for (exercise_id, variant), (_, gif) in drawn.items():
        chosen = knowledge.pictures.poses[exercise_id].variants[variant]
        image = Image.open(io.BytesIO(gif))
        assert image.format == "GIF"
        assert image.info.get("loop") == 0, "loops forever"
        assert image.size == gif_size(chosen.canvas)
        assert 480 <= image.width <= 720
        frames = getattr(image, "n_frames", 1)
        assert frames > 3 * len(chosen.frames), "eases between the key frames"
        assert len(gif) < 1_500_000, f"{exercise_id} {variant}: {len(gif)} bytes"
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
        holds = [d for d in durations if d >= 400]
        assert len(holds) == len(chosen.frames), "a pause on every key frame"
        frames = [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
        middle = frames[len(frames) // 2]
        assert frames[0].tobytes() != middle.tobytes(), "something moves"


def test_pictures_are_drawn_once_and_kept(knowledge, drawn):
    poses = knowledge.pictures.poses["ball_roll"]
    again = draw_still(poses, "default"), draw_animation(poses, "default")
    # the very same bytes objects: kept, not drawn again (how fast is the bench's to say)
    assert again[0] is drawn["ball_roll", "default"][0]
    assert again[1] is drawn["ball_roll", "default"][1]
    # Equal pose data from a fresh load is the same picture.
    fresh = load_knowledge(KNOWLEDGE_DIR).pictures.poses["ball_roll"]
    assert draw_still(fresh, "default") is drawn["ball_roll", "default"][0]


def test_picture_for_gives_the_drawn_picture(knowledge, drawn):
    picture = picture_for(knowledge, "standing_calf_stretch", "bent_knee")
    assert picture.still_name == "standing_calf_stretch-bent_knee.png"
    assert (picture.still, picture.animation) == drawn["standing_calf_stretch", "bent_knee"]
    assert picture.credit is None


def test_a_supplied_picture_is_used_instead(tmp_path, drawn):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, kdir)
    (kdir / "media").mkdir()
    photo = Image.new("RGB", (64, 48), "#336699")
    photo.save(kdir / "media" / "towel.jpg")
    path = kdir / "exercises.yaml"
    data = yaml.safe_load(path.read_text())
    for exercise in data["exercises"]:
        if exercise["id"] == "towel_toe_curl":
            exercise["picture"] = {"file": "media/towel.jpg", "credit": "Photo: Clinic X"}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    knowledge = load_knowledge(kdir)

    picture = picture_for(knowledge, "towel_toe_curl")
    assert picture.still == (kdir / "media" / "towel.jpg").read_bytes()
    assert (picture.still_name, picture.animation, picture.credit) == (
        "towel_toe_curl.jpg",
        None,
        "Photo: Clinic X",
    )
    written = {p.name for p in write_all(knowledge, tmp_path / "out")}
    assert "towel_toe_curl.jpg" in written
    assert not any(
        name.startswith("towel_toe_curl") and name != "towel_toe_curl.jpg" for name in written
    )
    assert "ball_roll.gif" in written


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE_DIR))
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_the_pictures_command_writes_every_file(tmp_path, cli_env, capsys, knowledge, drawn):
    out = tmp_path / "pictures"
    assert main(["pictures", "--out", str(out)]) == 0
    expected = set()
    for exercise_id, poses in knowledge.pictures.poses.items():
        for variant in poses.variants:
            stem = exercise_id if variant == "default" else f"{exercise_id}-{variant}"
            expected |= {f"{stem}.png", f"{stem}.gif"}
    assert {p.name for p in out.iterdir()} == expected
    assert (out / "ball_roll.png").read_bytes() == drawn["ball_roll", "default"][0]
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(expected) + 1
    assert lines[-1].startswith(f"{len(expected)} files in ")


def test_the_pictures_command_defaults_to_the_data_folder(tmp_path, cli_env, monkeypatch, drawn):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["pictures"]) == 0
    assert (tmp_path / "data" / "pictures" / "plank_calf_stretch.gif").is_file()


def test_the_pictures_command_reports_broken_knowledge(tmp_path, cli_env, monkeypatch, capsys):
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, kdir)
    (kdir / "poses" / "ball_roll.yaml").unlink()
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kdir))
    assert main(["pictures", "--out", str(tmp_path / "out")]) == 2
    assert "exercises 'ball_roll': no picture" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_render_package_stays_out_of_core():
    for path in (Path(__file__).parents[2] / "bot" / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith(("matplotlib", "PIL", "bot.render")), (path, name)
