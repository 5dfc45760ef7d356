"""Load and check the pose files (knowledge/poses/*.yaml) that the exercise pictures are drawn from.

A pose file holds, for one exercise, named variants (`default`, `golf_ball`, `one_leg`, …),
each with two to four key frames: the joints of a side-view figure in centimetres (x to the
right, y up, the floor near y = 0), the props around it, arrows that show the movement and a
short label. A variant may `extends:` another and list only what changes; frames are then
merged by position, and `null` removes an inherited key. Only YAML and pydantic here: drawing
lives in bot.render.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Point = tuple[float, float]
View = Literal["full", "closeup"]

POSES_DIR = "poses"
MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MIN_FRAMES, MAX_FRAMES = 2, 4
MAX_LABEL = 24

# Which joints each view needs (and may have), per part of the figure.
FULL_BODY = ("head", "neck", "shoulder", "hip")
FULL_SIDE = ("elbow", "hand", "knee", "ankle", "heel", "ball", "toe")
CLOSEUP_SIDE = ("knee", "ankle", "heel", "ball", "toe")
REQUIRED: dict[str, dict[str, tuple[str, ...]]] = {
    "full": {"body": FULL_BODY, "near": FULL_SIDE, "far": FULL_SIDE},
    "closeup": {"body": (), "near": CLOSEUP_SIDE, "far": ()},
}
OPTIONAL: dict[str, dict[str, tuple[str, ...]]] = {
    "full": {"body": (), "near": ("toe_mid",), "far": ("toe_mid",)},
    "closeup": {"body": (), "near": ("hip", "elbow", "hand", "toe_mid"), "far": ()},
}
# Where a stretch or an effort is felt, named by side: "near.calf".
FEEL_PARTS = ("calf", "achilles", "sole", "arch", "toes", "thigh")
# Bones whose length must stay the same from frame to frame (a typo shows up as a bone that
# grows); the thigh starts at the body's hip in the full view and at the side's hip close up.
_BONES = (
    ("body.hip", "side.knee"),
    ("side.hip", "side.knee"),
    ("side.knee", "side.ankle"),
    ("side.ankle", "side.heel"),
    ("side.heel", "side.ball"),
    ("side.ball", "side.toe_mid"),
    ("side.toe_mid", "side.toe"),
    ("body.shoulder", "side.elbow"),
    ("side.elbow", "side.hand"),
    ("body.hip", "body.shoulder"),
    ("body.neck", "body.head"),
)
_BONE_TOLERANCE = 0.12  # of the bone's median length, or 1 cm, whichever is larger


# Pose files are mostly numbers; libyaml's loader reads them about eight times faster, which is
# most of their share of start-up. Both are safe loaders.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PoseError(ValueError):
    """A pose file or a supplied picture is broken; knowledge.py reports it as a KnowledgeError."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        super().__init__(f"{file}: {where}: {problem}")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SuppliedPicture(_Frozen):
    """A clinic's picture to use instead of the drawn one: a file under knowledge/, a credit."""

    file: str = Field(min_length=1)
    credit: str = Field(min_length=1)


# -- props ----------------------------------------------------------------------------------


class Floor(_Frozen):
    y: float = 0.0


class Wall(_Frozen):
    """A wall whose face is the vertical line x; it fills the canvas on `side` of it."""

    x: float
    side: Literal["left", "right"] = "right"


class Step(_Frozen):
    """A box standing on the floor from x[0] to x[1]."""

    x: tuple[float, float]
    height: float = Field(gt=0)


class Chair(_Frozen):
    """A chair seen from the side: the seat from seat[0] to seat[1] at `height` above the floor."""

    seat: tuple[float, float]
    height: float = Field(gt=0)
    back: Literal["left", "right", "none"] = "left"
    back_height: float = Field(default=85.0, gt=0)


class Ball(_Frozen):
    """A ball on the floor: its centre and its diameter."""

    at: Point
    size: float = Field(gt=1, le=20)
    kind: Literal["lacrosse", "golf", "softball", "baseball", "tennis"] = "lacrosse"


class Towel(_Frozen):
    """A towel lying from x[0] to x[1] at height y, rucked into folds between bunch[0] and [1]."""

    x: tuple[float, float]
    y: float
    bunch: tuple[float, float] | None = None
    height: float = Field(default=0.0, ge=0, le=10)


class Band(_Frozen):
    """A resistance band looped round one joint ("near.toe") and either held at another
    ("near.hand") or tied at a point of a table leg that stands there, floor to top."""

    around: str = Field(pattern=r"^(near|far)\.[a-z_]+$")
    held: str | None = Field(default=None, pattern=r"^(near|far)\.[a-z_]+$")
    tied: Point | None = None

    @model_validator(mode="after")
    def _held_or_tied(self) -> Band:
        """Refuse a band that is both held and tied, or neither."""
        if (self.held is None) == (self.tied is None):
            raise ValueError("a band needs exactly one of: held (a joint), tied (a point)")
        return self


class Weight(_Frozen):
    """Something light to add load, such as a book: its bottom middle and its width and height."""

    at: Point
    size: tuple[float, float]
    kind: Literal["book"] = "book"


class Props(_Frozen):
    floor: Floor | None = None
    wall: Wall | None = None
    step: Step | None = None
    chair: Chair | None = None
    ball: Ball | None = None
    towel: Towel | None = None
    band: Band | None = None
    weight: Weight | None = None


# -- frames and variants ----------------------------------------------------------------------


class Arrow(_Frozen):
    """A movement arrow; `bend` curves it (positive: to the left of the way it points)."""

    start: Point = Field(alias="from")
    end: Point = Field(alias="to")
    bend: float = Field(default=0.0, ge=-1, le=1)
    both: bool = False


class Frame(_Frozen):
    """One key frame: the figure's joints, the props, the arrows and the label under it."""

    label: str = Field(min_length=1, max_length=MAX_LABEL)
    body: dict[str, Point] = {}
    near: dict[str, Point]
    far: dict[str, Point] = {}
    props: Props = Props()
    arrows: tuple[Arrow, ...] = ()
    feel: tuple[str, ...] = ()
    # Seconds the animation takes to reach this frame, and to rest on it.
    move: float = Field(default=0.8, ge=0.2, le=4)
    hold: float = Field(default=1.0, ge=0.2, le=4)

    def joint(self, name: str) -> Point | None:
        """Return a joint by its full name ("near.knee", "body.hip"), or None."""
        part, _, joint = name.partition(".")
        return {"body": self.body, "near": self.near, "far": self.far}.get(part, {}).get(joint)


class Variant(_Frozen):
    """One way to do the exercise; its canvas is the pose file's unless it sets its own."""

    canvas: tuple[float, float]
    frames: tuple[Frame, ...] = Field(min_length=MIN_FRAMES, max_length=MAX_FRAMES)


class ExercisePoses(_Frozen):
    """The pose file of one exercise, with every variant's inheritance already resolved."""

    exercise: str
    view: View
    canvas: tuple[float, float]
    facing: Literal["right", "left"] = "right"
    variants: dict[str, Variant]


class Pictures(_Frozen):
    """What every exercise's picture comes from: its poses, or a file a clinic supplied."""

    poses: dict[str, ExercisePoses] = {}
    # Exercise id to the supplied file, already found inside the knowledge folder.
    supplied: dict[str, Path] = {}


class _PoseFile(_Frozen):
    view: View
    canvas: tuple[float, float]
    facing: Literal["right", "left"] = "right"
    variants: dict[str, dict[str, Any]]


# -- loading ----------------------------------------------------------------------------------


def load_pictures(knowledge_dir: Path, pictures: Mapping[str, SuppliedPicture | None]) -> Pictures:
    """Load the pose files and check that every exercise has a picture, drawn or supplied.

    `pictures` maps every exercise id to its supplied picture, or None to draw it.
    """
    files = {
        exercise_id: check_supplied(knowledge_dir, exercise_id, supplied)
        for exercise_id, supplied in pictures.items()
        if supplied is not None
    }
    poses = load_poses(knowledge_dir / POSES_DIR, pictures)
    for exercise_id, supplied in pictures.items():
        if supplied is None and exercise_id not in poses:
            raise PoseError(
                "exercises.yaml",
                f"exercises '{exercise_id}'",
                f"no picture: add {POSES_DIR}/{exercise_id}.yaml or a `picture:` with a file",
            )
    return Pictures(poses=poses, supplied=files)


def check_supplied(knowledge_dir: Path, exercise_id: str, supplied: SuppliedPicture) -> Path:
    """Return a supplied picture's path after checking it is an image inside knowledge/."""
    where = f"exercises '{exercise_id}'.picture"
    relative = PurePosixPath(supplied.file)
    if relative.is_absolute() or ".." in relative.parts:
        raise PoseError("exercises.yaml", where, f"'{supplied.file}' must be inside knowledge/")
    if relative.suffix.lower() not in MEDIA_SUFFIXES:
        raise PoseError(
            "exercises.yaml", where, f"'{supplied.file}' is not a PNG, JPEG, GIF or WebP"
        )
    if not (knowledge_dir / relative).is_file():
        raise PoseError("exercises.yaml", where, f"file knowledge/{supplied.file} not found")
    if not supplied.credit.strip():
        raise PoseError("exercises.yaml", where, "the credit line is empty")
    return knowledge_dir / relative


def load_poses(directory: Path, exercise_ids: Iterable[str]) -> dict[str, ExercisePoses]:
    """Load every <exercise_id>.yaml in `directory`; a missing directory holds no poses."""
    known = set(exercise_ids)
    result: dict[str, ExercisePoses] = {}
    if not directory.is_dir():
        return result
    for path in sorted(directory.glob("*.y*ml")):
        file = f"{POSES_DIR}/{path.name}"
        if path.stem not in known:
            raise PoseError(file, path.stem, f"unknown exercise id '{path.stem}'")
        result[path.stem] = parse_poses(path.stem, _read(path, file), file)
    return result


def _read(path: Path, file: str) -> dict[str, Any]:
    try:
        data: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except OSError as exc:
        raise PoseError(file, "", f"cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise PoseError(file, where, f"not valid YAML: {getattr(exc, 'problem', '')}") from None
    if not isinstance(data, dict):
        raise PoseError(file, "", "must be a mapping at the top level")
    return dict(data)


def parse_poses(exercise_id: str, data: Mapping[str, Any], file: str) -> ExercisePoses:
    """Validate one pose file's data: resolve `extends`, then check every frame."""
    pose_file = _validated(_PoseFile, data, file, exercise_id)
    if "default" not in pose_file.variants:
        raise PoseError(file, exercise_id, "needs a 'default' variant")
    variants: dict[str, Variant] = {}
    for name in pose_file.variants:
        where = f"{exercise_id} variant '{name}'"
        if not name.isidentifier() or not name.islower():
            raise PoseError(file, where, "a variant name is lower_case_with_underscores")
        raw = _resolve(pose_file.variants, name, file, exercise_id, ())
        raw.setdefault("canvas", pose_file.canvas)
        variants[name] = _validated(Variant, raw, file, where)
    poses = ExercisePoses(
        exercise=exercise_id,
        view=pose_file.view,
        canvas=pose_file.canvas,
        facing=pose_file.facing,
        variants=variants,
    )
    for name, variant in poses.variants.items():
        _check_variant(poses, variant, file, f"{exercise_id} variant '{name}'")
    return poses


def _validated(model: type[Any], data: Any, file: str, where: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        problem = error["msg"]
        if error["type"] == "extra_forbidden":
            kind = "prop" if len(loc) > 1 and loc[-2] == "props" else "field"
            problem = f"unknown {kind} '{loc[-1]}'"
            loc = loc[:-1]
        elif error["type"] in ("too_short", "too_long") and loc[-1:] == ["frames"]:
            problem = f"needs {MIN_FRAMES} to {MAX_FRAMES} frames"
        if loc[:1] == ["frames"] and len(loc) > 1 and loc[1].isdigit():
            loc = [f"frame {int(loc[1]) + 1}", *loc[2:]]
        inner = ".".join(loc)
        raise PoseError(file, f"{where} {inner}".strip(), problem) from None


def _resolve(
    variants: Mapping[str, dict[str, Any]],
    name: str,
    file: str,
    exercise_id: str,
    seen: tuple[str, ...],
) -> dict[str, Any]:
    """Return a variant's data with what it extends merged in (props into every frame)."""
    where = f"{exercise_id} variant '{name}'"
    if name in seen:
        raise PoseError(file, where, f"extends itself ({' → '.join((*seen, name))})")
    own = dict(variants[name])
    base_name = own.pop("extends", None)
    if base_name is None:
        data = own
    else:
        if base_name not in variants:
            raise PoseError(file, where, f"extends unknown variant '{base_name}'")
        data = _merge_variant(_resolve(variants, base_name, file, exercise_id, (*seen, name)), own)
    if seen:  # an inherited variant: props are merged into frames by the caller's own pass
        return data
    shared = data.pop("props", None) or {}
    frames = data.get("frames")
    if isinstance(frames, list):
        data["frames"] = [
            _merge(frame, {"props": _merge(shared, frame.get("props") or {})})
            if isinstance(frame, dict)
            else frame
            for frame in frames
        ]
    return data


def _merge_variant(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """Merge a variant onto the one it extends; frames are merged one by one, by position."""
    frames = own.pop("frames", None)
    merged: dict[str, Any] = _merge(base, own)
    # A prop removed from the variant (`ball: null`) goes from the frames it inherits too.
    own_props = own.get("props")
    removed = [k for k, v in own_props.items() if v is None] if isinstance(own_props, dict) else []
    if removed and isinstance(base.get("frames"), list):
        base = {
            **base,
            "frames": [_merge(f, {"props": dict.fromkeys(removed)}) for f in base["frames"]],
        }
        merged["frames"] = base["frames"]
    if isinstance(frames, list) and isinstance(base.get("frames"), list):
        old = base["frames"]
        merged["frames"] = [
            _merge(old[i], frame) if i < len(old) else frame for i, frame in enumerate(frames)
        ] + old[len(frames) :]
    elif frames is not None:
        merged["frames"] = frames
    return merged


def _merge(base: Any, over: Any) -> Any:
    """Merge mappings key by key (None removes a key); anything else is replaced."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    result = dict(base)
    for key, value in over.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge(result.get(key), value)
    return result


def _check_variant(poses: ExercisePoses, variant: Variant, file: str, where: str) -> None:
    width, height = variant.canvas
    for number, frame in enumerate(variant.frames, start=1):
        here = f"{where} frame {number}"
        for part in ("body", "near", "far"):
            joints: dict[str, Point] = getattr(frame, part)
            required = REQUIRED[poses.view][part]
            allowed = (*required, *OPTIONAL[poses.view][part])
            for joint in required:
                if joint not in joints:
                    raise PoseError(file, here, f"missing joint '{part}.{joint}'")
            for joint in joints:
                if joint not in allowed:
                    raise PoseError(
                        file, here, f"unknown joint '{part}.{joint}' in the {poses.view} view"
                    )
        for name, (x, y) in _points(frame):
            if not (0 <= x <= width and 0 <= y <= height):
                raise PoseError(
                    file,
                    here,
                    f"{name} ({x:g}, {y:g}) is outside the canvas {width:g} x {height:g}",
                )
        for feel in frame.feel:
            side, _, part = feel.partition(".")
            if side not in ("near", "far") or part not in FEEL_PARTS:
                raise PoseError(file, here, f"unknown feel '{feel}' (e.g. near.calf)")
        band = frame.props.band
        if band is not None:
            for ref in (band.around, *([band.held] if band.held else [])):
                if frame.joint(ref) is None:
                    raise PoseError(file, here, f"the band refers to a missing joint '{ref}'")
    _check_bones(variant, file, where)


def _points(frame: Frame) -> Iterable[tuple[str, Point]]:
    for part in ("body", "near", "far"):
        joints: dict[str, Point] = getattr(frame, part)
        for joint, point in joints.items():
            yield f"{part}.{joint}", point
    props = frame.props
    if props.ball is not None:
        yield "ball", props.ball.at
    if props.weight is not None:
        yield "weight", props.weight.at
    if props.band is not None and props.band.tied is not None:
        yield "band", props.band.tied
    for number, arrow in enumerate(frame.arrows, start=1):
        yield f"arrow {number}", arrow.start
        yield f"arrow {number}", arrow.end


def _check_bones(variant: Variant, file: str, where: str) -> None:
    """Refuse a bone whose length changes between frames: the sign of a mistyped joint."""
    for side in ("near", "far"):
        for start, end in _BONES:
            names = (start.replace("side", side), end.replace("side", side))
            lengths: dict[int, float] = {}
            for number, frame in enumerate(variant.frames, start=1):
                a, b = frame.joint(names[0]), frame.joint(names[1])
                if a is not None and b is not None:
                    lengths[number] = math.dist(a, b)
            if len(lengths) < 2:
                continue
            typical = statistics.median(lengths.values())
            for number, length in lengths.items():
                if abs(length - typical) > max(_BONE_TOLERANCE * typical, 1.0):
                    raise PoseError(
                        file,
                        f"{where} frame {number}",
                        f"{names[0]} to {names[1]} is {length:.1f} cm, not about {typical:.1f}",
                    )
