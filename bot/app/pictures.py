"""The exercise pictures channels show with cards: named cheaply, drawn once, off the loop.

A card names its exercise and variant (bot/core/replies.py `Card`); a channel asks here for
the file to show. The animation (a GIF) when the picture is drawn from poses, else the still
(the clinic's own file). Naming a file costs a hash (bot/render/keys.py); drawing it (0.1 to
1.5 s) happens only when its bytes are needed, once per process, in a thread, one drawing at
a time (matplotlib is not made for several threads at once).

For Telegram this also keeps the file_id each bot was given for a file it uploaded, in the
store (so a restart does not upload again) and in memory: every later card sends the file by
its id, without drawing or uploading. If Telegram refuses a kept id, it is dropped and the
file uploaded again (`refused`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.app.clock import Clock, utc_now
from bot.core.knowledge import Knowledge
from bot.render.keys import Kind, has_animation, picture_key, variant_of
from bot.store import Conflict, Database, media_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PictureFile:
    """One picture file of an exercise: which, its key, and the name it is sent under."""

    exercise: str
    variant: str
    kind: Kind
    key: str
    filename: str


class Pictures:
    """Exercise picture files, and (with a store) the Telegram file ids of uploaded ones."""

    def __init__(self, knowledge: Knowledge, db: Database | None = None, *, clock: Clock = utc_now):
        self.knowledge = knowledge
        self.db = db
        self.clock = clock
        self._files: dict[tuple[str, str, Kind], PictureFile] = {}
        self._bytes: dict[str, bytes] = {}
        self._drawing = asyncio.Lock()
        self._ids: dict[tuple[int, str], str] = {}
        self._uploads: dict[tuple[int, str], asyncio.Lock] = {}
        # How many files were drawn and uploaded (tests and the benchmark read these).
        self.drawn = 0
        self.uploaded = 0

    def file(
        self, exercise: str, variant: str = "default", kind: Kind | None = None
    ) -> PictureFile:
        """Return the file to show for an exercise: its animation if it moves, else its still."""
        if kind is None:
            kind = "animation" if has_animation(self.knowledge, exercise) else "still"
        known = self._files.get((exercise, variant, kind))
        if known is not None:
            return known
        shown = variant_of(self.knowledge, exercise, variant)
        key = picture_key(self.knowledge, exercise, shown, kind)
        supplied = self.knowledge.pictures.supplied.get(exercise)
        name = exercise if shown == "default" else f"{exercise}-{shown}"
        drawn = ".gif" if kind == "animation" else ".png"
        suffix = supplied.suffix.lower() if supplied else drawn
        made = PictureFile(exercise, shown, kind, key, f"{name}{suffix}")
        self._files[(exercise, variant, kind)] = made
        return made

    async def content(self, file: PictureFile) -> bytes:
        """Return the file's bytes, drawing them (off the event loop) the first time."""
        known = self._bytes.get(file.key)
        if known is not None:
            return known
        async with self._drawing:
            known = self._bytes.get(file.key)
            if known is None:
                known = await asyncio.to_thread(self._draw, file)
                self._bytes[file.key] = known
                self.drawn += 1
        return known

    def _draw(self, file: PictureFile) -> bytes:
        # Imported here: matplotlib takes about a second to import, which every start-up
        # would pay otherwise, also when every picture is already known by its file id.
        from bot.render.pictures import draw_file

        return draw_file(
            self.knowledge, file.exercise, file.variant, animation=file.kind == "animation"
        )

    # -- Telegram file ids ------------------------------------------------------------------

    async def file_id(self, bot_id: int, file: PictureFile) -> str | None:
        """Return the file id this bot was given for the file, if it uploaded it before."""
        known = self._ids.get((bot_id, file.key))
        if known is not None or self.db is None:
            return known
        async with self.db.transaction() as session:
            known = await media_files.get(session, bot_id, file.key)
        if known is not None:
            self._ids[(bot_id, file.key)] = known
        return known

    async def remember(self, bot_id: int, file: PictureFile, file_id: str) -> None:
        """Keep the file id Telegram gave for an upload, for every later card."""
        self._ids[(bot_id, file.key)] = file_id
        self.uploaded += 1
        if self.db is None:
            return
        try:
            async with self.db.transaction() as session:
                await media_files.put(session, bot_id, file.key, file_id, self.clock())
        except Conflict:
            pass  # another worker kept one at the same moment: either id works

    async def refused(self, bot_id: int, file: PictureFile, file_id: str) -> None:
        """Drop a file id Telegram refused, so the next card uploads the file again."""
        log.warning("Telegram refused a kept file id for %s; uploading it again", file.key)
        if self._ids.get((bot_id, file.key)) == file_id:
            del self._ids[(bot_id, file.key)]
        if self.db is not None:
            async with self.db.transaction() as session:
                await media_files.forget(session, bot_id, file.key, file_id)

    def uploading(self, bot_id: int, file: PictureFile) -> asyncio.Lock:
        """Return the lock held while a file is uploaded: a second card waits for its id."""
        return self._uploads.setdefault((bot_id, file.key), asyncio.Lock())
