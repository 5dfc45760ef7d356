"""The `footcoach` command: wiring only (chat, run, explain, check-knowledge, doctor, db, …)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from bot.app.coach import Person
from bot.bootstrap import StartupError, build_engine, configure_logging, open_components
from bot.config import ConfigError, Settings, load_settings
from bot.core.knowledge import KnowledgeError, load_knowledge
from bot.core.routine import routine_for
from bot.core.triage import warning_signs


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="footcoach", description="A self-care coach for feet, ankles and calves."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = commands.add_parser("chat", help="talk to the coach in this terminal")
    chat.add_argument("--user", type=int, default=1, help="the user id to talk as (default 1)")
    chat.add_argument("--json", action="store_true", help="print each reply as one JSON line")

    commands.add_parser("run", help="run the Telegram bot (token from .env)")

    explain = commands.add_parser("explain", help="show how a message is read")
    explain.add_argument("--json", action="store_true", help="print one JSON object")
    explain.add_argument("text", nargs="+", help="the message")

    commands.add_parser("check-knowledge", help="validate the knowledge files")
    commands.add_parser(
        "doctor", help="check settings, knowledge, database, Telegram, staff chat, time zones"
    )

    pictures = commands.add_parser("pictures", help="draw every exercise's pictures into a folder")
    pictures.add_argument("--out", type=Path, help="the folder (default: DATA_DIR/pictures)")

    db = commands.add_parser("db", help="the database schema (migrations)")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the database to the newest schema")
    db_commands.add_parser("current", help="print the database's schema revision")

    report = commands.add_parser("report", help="make a person's report for a clinician (PDF)")
    report.add_argument("--user", type=int, required=True, help="the person's user id")
    report.add_argument("--out", type=Path, required=True, help="the PDF file to write")

    leads = commands.add_parser("leads", help="list callback requests (newest first)")
    leads.add_argument("--csv", action="store_true", help="write every request as CSV to stdout")
    leads.add_argument("--open", action="store_true", help="only requests not yet closed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the footcoach command line and return its exit status."""
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from bot.channels.doctor import run_doctor

        return run_doctor()  # it reports bad settings itself, as its first line
    try:
        settings = load_settings()
        if args.command == "check-knowledge":
            return _check_knowledge(settings)
        if args.command == "explain":
            return _explain(settings, " ".join(args.text), as_json=args.json)
        if args.command == "pictures":
            return _pictures(settings, args.out or settings.data_dir / "pictures")
        configure_logging(settings)
        if args.command == "chat":
            return asyncio.run(_chat(settings, args.user, as_json=args.json))
        if args.command == "db":
            return asyncio.run(_db(settings, args.db_command))
        if args.command == "report":
            return asyncio.run(_report(settings, args.user, args.out))
        if args.command == "leads":
            return asyncio.run(_leads(settings, as_csv=args.csv, open_only=args.open))
        if args.command == "run":
            from bot.channels.telegram import run_bot

            return run_bot(settings)
    except (ConfigError, KnowledgeError, StartupError) as exc:
        print(f"footcoach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _check_knowledge(settings: Settings) -> int:
    try:
        knowledge = build_engine(settings).knowledge  # the engine checks the sentences too
    except KnowledgeError as exc:
        print(f"footcoach: {exc}", file=sys.stderr)
        return 1
    print(
        f"knowledge OK: {len(knowledge.exercises)} exercises, {len(knowledge.symptoms)} symptoms,"
        f" {len(knowledge.locations)} locations, {len(knowledge.red_flags)} red flags,"
        f" {len(knowledge.messages)} messages"
    )
    return 0


def _pictures(settings: Settings, out_dir: Path) -> int:
    from time import perf_counter

    from bot.render.pictures import write_all

    knowledge = load_knowledge(settings.knowledge_dir)
    started = perf_counter()
    written = write_all(knowledge, out_dir)
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
    print(f"{len(written)} files in {perf_counter() - started:.1f} s")
    return 0


def _explain(settings: Settings, text: str, *, as_json: bool) -> int:
    engine = build_engine(settings)
    reading = engine.reader.read(text)
    signs = warning_signs(reading, engine.knowledge.triage)  # the message's own and combined
    exercises = (
        () if signs else routine_for(engine.knowledge, reading.symptom_ids, reading.location_ids)
    )
    if as_json:
        ids = {
            name: [m.id for m in getattr(reading, name)]
            for name in ("conditions", "negated", "past", "hypothetical", "others")
        }
        print(
            json.dumps(
                {
                    "symptoms": list(reading.symptom_ids),
                    "locations": list(reading.location_ids),
                    "red_flags": list(reading.red_flag_ids),
                    "intents": list(reading.intent_ids),
                    "exercises": list(exercises),
                    **ids,
                    "hints": list(reading.hints),
                    "warning_signs": list(signs),
                    "pain_score": reading.pain_score,
                }
            )
        )
        return 0
    k = engine.knowledge

    def line(title: str, matches: Sequence[object]) -> str:
        return f"{title:<12}" + (", ".join(str(m) for m in matches) if matches else "-")

    def shown(match: object) -> str:
        mid, words = getattr(match, "id", ""), getattr(match, "words", "")
        return f"{mid} ({words!r})"

    print(line("symptoms:", [shown(m) for m in reading.symptoms]))
    print(line("locations:", [shown(m) for m in reading.locations]))
    print(line("red flags:", [shown(m) for m in reading.red_flags]))
    print(line("intents:", [shown(m) for m in reading.intents]))
    print(line("conditions:", [shown(m) for m in reading.conditions]))
    print(line("negated:", [shown(m) for m in reading.negated]))
    print(line("long ago:", [shown(m) for m in reading.past]))
    print(line("if / maybe:", [shown(m) for m in reading.hypothetical]))
    print(line("others':", [shown(m) for m in reading.others]))
    print(line("hints:", list(reading.hints)))
    print(line("pain score:", [reading.pain_score] if reading.pain_score is not None else []))
    print(line("triage:", list(signs)))
    if signs:
        print("routine:    none - a warning sign points to a professional instead")
    else:
        print(line("routine:", [k.exercises[e].name for e in exercises]))
    return 0


async def _db(settings: Settings, action: str) -> int:
    from bot.bootstrap import open_database, upgrade_database
    from bot.store import migrate

    db = open_database(settings)
    try:
        if action == "upgrade":
            print((await upgrade_database(db)).describe())
        else:
            try:
                revision = await migrate.current(db)
            except Exception as exc:
                detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
                raise StartupError(f"cannot open the database at DATABASE_URL ({detail})") from None
            print(f"{revision or 'none'} (head is {migrate.head_revision()})")
    finally:
        await db.close()
    return 0


async def _leads(settings: Settings, *, as_csv: bool, open_only: bool) -> int:
    from bot.app.staff_desk import StaffDesk
    from bot.core.staff import lead_line, leads_csv

    components = await open_components(settings)
    try:
        desk = StaffDesk(components.db, settings.admin_user_ids)
        found = await desk.listing(active_only=open_only and not as_csv)
    finally:
        await components.close()
    if as_csv:
        sys.stdout.write(leads_csv(found))
    elif not found:
        print(components.knowledge.say("staff_no_leads"))
    else:
        for lead in found:
            print(lead_line(components.knowledge, lead))
    return 0


async def _report(settings: Settings, user_id: int, out: Path) -> int:
    from bot.app.clock import utc_now
    from bot.app.reports import make_report

    components = await open_components(settings)
    try:
        pdf = await make_report(components.db, components.knowledge, user_id, utc_now())
    finally:
        await components.close()
    if pdf is None:
        print(f"footcoach: no person with user id {user_id} in the database", file=sys.stderr)
        return 1
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        print(f"footcoach: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"{out} ({len(pdf) // 1024} KB)")
    return 0


async def _chat(settings: Settings, user_id: int, *, as_json: bool) -> int:
    from bot.app.pictures import Pictures
    from bot.app.reminder_sender import ReminderSender
    from bot.channels.terminal import TerminalChat, TerminalOutlet, stdin_reader

    components = await open_components(settings)
    interactive = sys.stdin.isatty()
    chat = TerminalChat(
        components.coach,
        Person(id=user_id),
        out=sys.stdout,
        json_mode=as_json,
        files_dir=settings.data_dir,
        pictures=Pictures(components.knowledge),
        # A live countdown in a terminal; piped or --json, one line per phase.
        live=interactive and not as_json,
        clock=components.coach.clock,
    )
    # Reminders of this person that fall due while the chat is open are printed into it.
    dispatcher = ReminderSender(
        components.db,
        components.knowledge,
        TerminalOutlet(chat),
        clock=components.coach.clock,
        only_user=user_id,
    )

    async def remind() -> None:
        while True:
            await dispatcher.run_once()
            await asyncio.sleep(settings.dispatch_interval)

    reminders = asyncio.create_task(remind())
    try:
        if interactive and not as_json:
            print("Footcoach in your terminal. Type /help for commands, Ctrl-D to leave.\n")
        await chat.run(lambda: stdin_reader("> " if interactive else ""), greet_if_new=interactive)
    finally:
        reminders.cancel()
        with suppress(asyncio.CancelledError):
            await reminders
        await components.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
