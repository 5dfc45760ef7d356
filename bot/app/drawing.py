"""Draw what replies only describe (a progress chart) before a channel sends them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.app.reports import FILENAME, draw
from bot.core.replies import Chart, Document, Picture, Reply, Report


async def drawn(replies: Sequence[Reply]) -> list[Reply]:
    """Return the replies with every chart and report drawn (matplotlib, in a thread)."""
    finished: list[Reply] = []
    for reply in replies:
        if isinstance(reply, Chart):
            # Imported here: matplotlib takes about a second to import, which every start-up
            # (even `footcoach run` without a token) would otherwise pay.
            from bot.render.charts import render_progress_chart

            png = await asyncio.to_thread(
                render_progress_chart,
                reply.checkins,
                reply.today,
                reply.days,
                title=reply.title,
                start_label=reply.start_label,
                done_label=reply.done_label,
            )
            finished.append(Picture(png=png, caption=reply.caption, filename="progress.png"))
        elif isinstance(reply, Report):
            pdf = await draw(reply.data)
            finished.append(Document(filename=FILENAME, content=pdf, caption=reply.caption))
        else:
            finished.append(reply)
    return finished
