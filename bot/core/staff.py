"""What staff see of a callback request: the staff-chat message, list lines and CSV rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.core.knowledge import Knowledge, Urgency
from bot.core.leads import Lead, LeadStatus
from bot.core.replies import Choice, Say

STAFF_PREFIX = "s"
_URGENCY_RANK = {Urgency.emergency: 0, Urgency.urgent: 1, Urgency.soon: 2}
STAFF_ACTIONS = {"contacted": LeadStatus.contacted, "closed": LeadStatus.closed}
CSV_COLUMNS = (
    "code",
    "created_at",
    "status",
    "name",
    "phone",
    "best_time",
    "symptoms",
    "red_flags",
    "pain_score",
    "note",
    "handled_by",
    "handled_at",
    # Added after the first release: at the end, so the columns before keep their places.
    "conditions",
)


def _utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _warning(knowledge: Knowledge, lead: Lead) -> str | None:
    known = [knowledge.red_flags[f] for f in lead.red_flags if f in knowledge.red_flags]
    if not known:
        return None
    top = min(known, key=lambda flag: _URGENCY_RANK[flag.urgency]).urgency
    flags = ", ".join(flag.label for flag in known)
    urgency = knowledge.say(f"staff_urgency_{top.value}")
    return knowledge.say("staff_warning", flags=flags, urgency=urgency)


def _about(knowledge: Knowledge, lead: Lead) -> str:
    parts = [knowledge.symptoms[s].label for s in lead.symptoms if s in knowledge.symptoms]
    about = ", ".join(parts) or "-"
    warning = _warning(knowledge, lead)
    if warning:
        about += " | " + warning
    known_conditions = knowledge.conditions
    conditions = [known_conditions[c].label for c in lead.conditions if c in known_conditions]
    if conditions:
        about += " | " + knowledge.say("staff_conditions", conditions=", ".join(conditions))
    return about


def staff_message(knowledge: Knowledge, lead: Lead, *, repeated: bool = False) -> Say:
    """Compose the staff-chat message of a request, with Contacted/Closed while it is open."""
    if lead.status is LeadStatus.withdrawn:
        # /forget erases the details; a plain withdrawal keeps them (e.g. in /export_leads).
        forgotten = not (lead.name or lead.phone)
        return Say(
            text=knowledge.say(
                "staff_forgotten" if forgotten else "staff_withdrawn", code=lead.code
            )
        )
    handled = (
        knowledge.say(
            "staff_handled",
            status=knowledge.say(f"staff_status_{lead.status.value}"),
            by=lead.handled_by or "",
            at=_utc(lead.handled_at),
        )
        if lead.handled_by
        else knowledge.say(f"staff_status_{lead.status.value}")
    )
    text = knowledge.say(
        "staff_request",
        code=lead.code,
        name=lead.name,
        phone=lead.phone,
        best_time=knowledge.say(f"button_{lead.best_time}"),
        about=_about(knowledge, lead),
        pain=str(lead.pain_score) if lead.pain_score is not None else "-",
        note=lead.note or "-",
        created=_utc(lead.created_at),
        status=handled,
    )
    if lead.report_wanted or lead.report_message_id is not None:
        text = f"{text}\n{knowledge.say('staff_report_line')}"
    if repeated:
        text = f"{knowledge.say('staff_repeated', code=lead.code)}\n{text}"
    if lead.status is LeadStatus.closed:
        return Say(text=text)
    choices = tuple(
        Choice(token=f"{STAFF_PREFIX}.{action}.{lead.code}", label=knowledge.say(f"staff_{action}"))
        for action in STAFF_ACTIONS
    )
    return Say(text=text, choices=choices)


def signs_notice(knowledge: Knowledge, lead: Lead) -> Say | None:
    """Compose the message telling staff that an announced request has new warning signs
    (its own message is edited, which Telegram does not notify); no personal data in it."""
    warning = _warning(knowledge, lead)
    if warning is None or not lead.status.active:
        return None
    return Say(text=knowledge.say("staff_signs_added", code=lead.code, warning=warning))


def parse_staff_token(token: str) -> tuple[LeadStatus, str] | None:
    """Return the action and code of a staff button's token, or None if it is not one."""
    prefix, _, rest = token.partition(".")
    action, _, code = rest.partition(".")
    if prefix != STAFF_PREFIX or action not in STAFF_ACTIONS or not code:
        return None
    return STAFF_ACTIONS[action], code


def lead_line(knowledge: Knowledge, lead: Lead) -> str:
    """Return one line describing a request, for /leads and `footcoach leads`."""
    return knowledge.say(
        "staff_line",
        code=lead.code,
        created=_utc(lead.created_at),
        status=lead.status.value,
        name=lead.name or "-",
        phone=lead.phone or "-",
        best_time=lead.best_time or "-",
        flags=", ".join(lead.red_flags) or "-",
        conditions=", ".join(lead.conditions) or "-",
    )


def leads_csv(leads: Iterable[Lead]) -> str:
    """Return the requests as CSV with the documented columns (times in UTC ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for lead in leads:
        writer.writerow(csv_row(lead))
    return out.getvalue()


def csv_row(lead: Lead) -> Sequence[str]:
    """Return one request as a CSV row, in CSV_COLUMNS order."""
    return (
        lead.code,
        lead.created_at.isoformat(),
        lead.status.value,
        _defuse(lead.name),
        lead.phone,
        lead.best_time,
        " ".join(lead.symptoms),
        " ".join(lead.red_flags),
        "" if lead.pain_score is None else str(lead.pain_score),
        _defuse(lead.note),
        _defuse(lead.handled_by or ""),
        lead.handled_at.isoformat() if lead.handled_at else "",
        " ".join(lead.conditions),
    )


def _defuse(text: str) -> str:
    """Keep spreadsheet programs from running typed text as a formula (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
