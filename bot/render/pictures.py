"""Exercise pictures: a PNG of the key frames side by side and a looping GIF, drawn from poses."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.textpath import TextPath
from matplotlib.transforms import IdentityTransform
from PIL import Image

from bot.core.knowledge import Knowledge
from bot.core.poses import ExercisePoses
from bot.render.figure import draw_scene
from bot.render.motion import timeline
from bot.render.style import BACKGROUND, INK, PANEL, Pen

STILL_WIDTH = 1080
_DPI = 100  # so that one point is 100/72 pixels and sizes below can be thought of in pixels
_MARGIN, _GAP = 18, 14
_LABEL_PX = 27  # label text height in pixels, readable on a phone at full width
_WIDE = 1.9  # a canvas this much wider than tall (a plank) is stacked, one frame a row
GIF_STEP = 0.08  # seconds per in-between frame of the animation
GIF_COLOURS = 96


@dataclass(frozen=True)
class Layout:
    """Where the key frames go on a still: a grid of panels, each a drawing above a label."""

    columns: int
    rows: int
    panel_width: int
    drawing_height: int
    label_height: int
    width: int
    height: int

    def panel(self, index: int) -> tuple[int, int]:
        """Return the top-left pixel of panel `index`, counted from the image's top-left."""
        row, column = divmod(index, self.columns)
        x = _MARGIN + column * (self.panel_width + _GAP)
        y = _MARGIN + row * (self.drawing_height + self.label_height + _GAP)
        return x, y


def layout(canvas: tuple[float, float], frames: int, width: int = STILL_WIDTH) -> Layout:
    """Return the grid for `frames` key frames: side by side, or stacked for a wide canvas."""
    canvas_w, canvas_h = canvas
    wide = canvas_w / canvas_h >= _WIDE
    columns = (2 if frames == 4 else 1) if wide else frames
    rows = math.ceil(frames / columns)
    panel_width = (width - 2 * _MARGIN - (columns - 1) * _GAP) // columns
    drawing_height = round(panel_width * canvas_h / canvas_w)
    label_height = _label_height(panel_width)
    height = 2 * _MARGIN + rows * (drawing_height + label_height) + (rows - 1) * _GAP
    return Layout(columns, rows, panel_width, drawing_height, label_height, width, height)


def _label_height(panel_width: int) -> int:
    return round(_LABEL_PX * (2.9 if panel_width < 420 else 1.9))


# -- drawing --------------------------------------------------------------------------------


def draw_still(poses: ExercisePoses, variant: str = "default") -> bytes:
    """Return a PNG, about 1080 px wide, of a variant's key frames with labels and arrows."""
    return _still(_Key(poses), variant)


def draw_animation(poses: ExercisePoses, variant: str = "default") -> bytes:
    """Return a GIF that loops forever, easing from key frame to key frame and resting on each."""
    return _animation(_Key(poses), variant)


class _Key:
    """Pose data as a cache key: equal when the content is equal."""

    def __init__(self, poses: ExercisePoses) -> None:
        self.poses = poses
        self.text = poses.model_dump_json()

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.text == self.text


@lru_cache(maxsize=64)
def _still(key: _Key, variant: str) -> bytes:
    poses = key.poses
    chosen = poses.variants[variant]
    grid = layout(chosen.canvas, len(chosen.frames))
    fig = _figure(grid.width, grid.height)
    for index, frame in enumerate(chosen.frames):
        x, y = grid.panel(index)
        ax = _panel(fig, chosen.canvas, (x, y, grid.panel_width, grid.drawing_height))
        draw_scene(
            ax,
            poses,
            chosen.canvas,
            frame,
            _pen(chosen.canvas, grid.panel_width, grid.drawing_height),
        )
        _label(
            fig,
            frame.label,
            index,
            (x, y + grid.drawing_height, grid.panel_width, grid.label_height),
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def gif_size(canvas: tuple[float, float]) -> tuple[int, int]:
    """Return the animation's width and height: wider for a wide canvas such as a plank."""
    canvas_w, canvas_h = canvas
    width = 720 if canvas_w / canvas_h >= _WIDE else 540
    drawing = round((width - 2 * _MARGIN) * canvas_h / canvas_w)
    return width, 2 * _MARGIN + drawing + _label_height(width)


@lru_cache(maxsize=64)
def _animation(key: _Key, variant: str) -> bytes:
    poses = key.poses
    chosen = poses.variants[variant]
    width, height = gif_size(chosen.canvas)
    panel_w = width - 2 * _MARGIN
    drawing_h = height - 2 * _MARGIN - _label_height(width)
    fig = _figure(width, height)
    ax = _panel(fig, chosen.canvas, (_MARGIN, _MARGIN, panel_w, drawing_h))
    pen = _pen(chosen.canvas, panel_w, drawing_h)
    box = (_MARGIN, _MARGIN + drawing_h, panel_w, _label_height(width))
    labels = [_label(fig, frame.label, i, box) for i, frame in enumerate(chosen.frames)]
    images: list[Image.Image] = []
    durations: list[int] = []
    for frame, index, seconds in timeline(chosen.frames, GIF_STEP):
        for artist in [*ax.patches, *ax.lines, *ax.collections]:
            artist.remove()
        draw_scene(ax, poses, chosen.canvas, frame, pen)
        for shown, label in enumerate(labels):
            for artist in label:
                artist.set_visible(shown == index)
        raw = io.BytesIO()
        fig.savefig(raw, format="rgba", dpi=_DPI)
        images.append(Image.frombytes("RGBA", (width, height), raw.getvalue()).convert("RGB"))
        durations.append(round(seconds * 1000))
    return _gif(images, durations)


def _gif(images: list[Image.Image], durations: list[int]) -> bytes:
    """Encode frames with one shared palette, so colours do not flicker from frame to frame."""
    sample = Image.new("RGB", (images[0].width, images[0].height * 3))
    for i, pick in enumerate((0, len(images) // 3, 2 * len(images) // 3)):
        sample.paste(images[pick], (0, i * images[0].height))
    palette = sample.quantize(GIF_COLOURS, method=Image.Quantize.MEDIANCUT)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
    )
    return buffer.getvalue()


def _figure(width: int, height: int) -> Figure:
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    return fig


Box = tuple[int, int, int, int]  # x, y, width, height in pixels from the image's top-left


def _panel(fig: Figure, canvas: tuple[float, float], box: Box) -> Axes:
    """Add the axes one frame is drawn on, its limits the canvas in centimetres."""
    x, y, w, h = box
    fig_w, fig_h = fig.get_size_inches() * _DPI
    ax = fig.add_axes((x / fig_w, (fig_h - y - h) / fig_h, w / fig_w, h / fig_h))
    ax.set_xlim(0, canvas[0])
    ax.set_ylim(0, canvas[1])
    ax.set_facecolor(PANEL)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


def _pen(canvas: tuple[float, float], width: int, height: int) -> Pen:
    points = 72 / _DPI
    return Pen(pt_per_cm=width / canvas[0] * points, panel_pt=min(width, 1.2 * height) * points)


def _label(fig: Figure, text: str, index: int, box: Box) -> list[Artist]:
    """Draw a frame's number in a dot and its label, centred in box; return what was drawn."""
    x, y, w, h = box
    fig_w, fig_h = fig.get_size_inches() * _DPI
    size_pt = _LABEL_PX * 72 / _DPI
    badge = _LABEL_PX * 0.75
    lines = _wrap(text, w - 2 * badge - 24)
    text_w = max(_text_width(line) for line in lines)
    left = x + max(4.0, (w - text_w - 2 * badge - 10) / 2)
    middle = fig_h - (y + h / 2)  # in pixels from the bottom, as matplotlib counts
    dot = Circle((left + badge, middle), badge, color=INK, transform=IdentityTransform())
    fig.add_artist(dot)
    number = fig.text(
        (left + badge) / fig_w,
        middle / fig_h,
        str(index + 1),
        color="white",
        fontsize=size_pt * 0.85,
        fontweight="bold",
        ha="center",
        va="center_baseline",
    )
    words = fig.text(
        (left + 2 * badge + 10) / fig_w,
        middle / fig_h,
        "\n".join(lines),
        color=INK,
        fontsize=size_pt,
        ha="left",
        va="center",
        linespacing=1.15,
    )
    return [dot, number, words]


@lru_cache(maxsize=256)
def _text_width(text: str) -> float:
    """Return the width in pixels of a label line."""
    return float(TextPath((0, 0), text, size=_LABEL_PX * 0.96).get_extents().width)


def _wrap(text: str, width_px: float) -> list[str]:
    """Split a label into two lines when it is too wide for its panel."""
    if _text_width(text) <= width_px or " " not in text:
        return [text]
    middle = len(text) / 2
    cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
    return [text[:cut], text[cut + 1 :]]


# -- per exercise ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExercisePicture:
    """An exercise's picture: a still and, when drawn, an animation; or a clinic's own file."""

    still: bytes
    still_name: str
    animation: bytes | None
    credit: str | None = None


def picture_for(
    knowledge: Knowledge, exercise_id: str, variant: str = "default"
) -> ExercisePicture:
    """Return the picture of an exercise's variant: the supplied file if any, else the drawn one."""
    exercise = knowledge.exercises[exercise_id]
    supplied = knowledge.pictures.supplied.get(exercise_id)
    if supplied is not None:
        credit = exercise.picture.credit if exercise.picture is not None else None
        return ExercisePicture(
            supplied.read_bytes(), f"{exercise_id}{supplied.suffix.lower()}", None, credit
        )
    poses = knowledge.pictures.poses[exercise_id]
    name = exercise_id if variant == "default" else f"{exercise_id}-{variant}"
    return ExercisePicture(
        draw_still(poses, variant), f"{name}.png", draw_animation(poses, variant)
    )


def draw_file(
    knowledge: Knowledge, exercise_id: str, variant: str = "default", *, animation: bool
) -> bytes:
    """Return one picture file: the animation (GIF) or the still (PNG, or the clinic's file)."""
    supplied = knowledge.pictures.supplied.get(exercise_id)
    if supplied is not None:
        if animation:
            raise ValueError(f"{exercise_id} has a supplied picture, which does not move")
        return supplied.read_bytes()
    poses = knowledge.pictures.poses[exercise_id]
    if variant not in poses.variants:
        variant = "default"
    return draw_animation(poses, variant) if animation else draw_still(poses, variant)


def variants_of(knowledge: Knowledge, exercise_id: str) -> Iterable[str]:
    """Return the variants that have a picture: all drawn ones, or just the supplied default."""
    if exercise_id in knowledge.pictures.supplied:
        return ("default",)
    return tuple(knowledge.pictures.poses[exercise_id].variants)


def write_all(knowledge: Knowledge, out_dir: Path) -> list[Path]:
    """Write every exercise's pictures (every variant's) into out_dir; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for exercise_id in knowledge.exercises:
        for variant in variants_of(knowledge, exercise_id):
            picture = picture_for(knowledge, exercise_id, variant)
            still = out_dir / picture.still_name
            still.write_bytes(picture.still)
            written.append(still)
            if picture.animation is not None:
                animation = still.with_suffix(".gif")
                animation.write_bytes(picture.animation)
                written.append(animation)
    return written
