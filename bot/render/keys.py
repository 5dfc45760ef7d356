"""What names an exercise picture: a key that changes whenever what it is drawn from does.

A key is "exercise/variant/kind/hash", the hash taken over the pose data (or the clinic's own
file), the variant and kind, and the drawing code and library versions. Drawing is
deterministic (no timestamps in the files), so an equal key means equal bytes: a Telegram
file_id kept under the key can be sent again without drawing anything, and a change to a
pose, to the drawing or to matplotlib gives a new key and a new upload. No matplotlib here:
naming a picture costs a hash, not a second of imports.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Literal

from bot.core.knowledge import Knowledge

Kind = Literal["animation", "still"]
# The modules whose code decides what a picture looks like.
_DRAWING = ("pictures.py", "figure.py", "motion.py", "props.py", "style.py")
_LIBRARIES = ("matplotlib", "pillow")


@lru_cache(maxsize=1)
def drawing_code() -> str:
    """Return a hash of the drawing code and the versions of the libraries it draws with."""
    digest = hashlib.sha256()
    folder = Path(__file__).resolve().parent
    for name in _DRAWING:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes())
    for library in _LIBRARIES:
        try:
            digest.update(f"{library} {metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} -".encode())
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def has_animation(knowledge: Knowledge, exercise_id: str) -> bool:
    """Say whether the exercise's picture moves: drawn pictures do, a clinic's file does not."""
    return exercise_id not in knowledge.pictures.supplied


def variant_of(knowledge: Knowledge, exercise_id: str, variant: str) -> str:
    """Return the variant to show: the one asked for if it is drawn, else the default."""
    poses = knowledge.pictures.poses.get(exercise_id)
    return variant if poses is not None and variant in poses.variants else "default"


def picture_key(knowledge: Knowledge, exercise_id: str, variant: str, kind: Kind) -> str:
    """Return the key of an exercise picture (see the module's docstring)."""
    supplied = knowledge.pictures.supplied.get(exercise_id)
    if supplied is not None:
        return f"{exercise_id}/default/still/{_file_hash(supplied)[:16]}"
    variant = variant_of(knowledge, exercise_id, variant)
    poses = knowledge.pictures.poses[exercise_id]
    digest = hashlib.sha256()
    for part in (poses.model_dump_json(), variant, kind, drawing_code()):
        digest.update(part.encode())
        digest.update(b"\0")
    return f"{exercise_id}/{variant}/{kind}/{digest.hexdigest()[:16]}"
