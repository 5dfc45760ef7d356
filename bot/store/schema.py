"""The database schema: every table Footcoach keeps, in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Store instants as UTC and always hand back aware UTC datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC before it is stored."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return stored instants as aware UTC datetimes."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every table."""


class User(Base):
    """One person (a Telegram user id, or a terminal user id) and their conversation state."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(Text, default="{}")
    last_update_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # As Telegram gave it, for the report the person takes to a clinician (first name only).
    first_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The person's last message or button (not ours: reminders and a guide's end do not
    # count); data expires RETENTION_DAYS after it. Null only in rows of older schemas.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When they were told their data would expire (None: not since last seen), and when it
    # expires then, or, before the notice, when to look again (a notice waits for daytime).
    expiry_noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expiry_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        Index("ix_users_last_seen_at", "last_seen_at"),
        Index("ix_users_expiry_due_at", "expiry_due_at"),
    )


class ReminderRow(Base):
    """A person's daily reminder and when it is next due (UTC)."""

    __tablename__ = "reminders"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    at_time: Mapped[str] = mapped_column(String(5))
    zone: Mapped[str] = mapped_column(String(64))
    days: Mapped[str] = mapped_column(String(16))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    snooze_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Failed sends of the current local day; a resend is scheduled through snooze_due.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A second reminder the same days (moves done twice a day), and the follow-up of one
    # nobody answered; each at most once per local day.
    second_at: Mapped[str | None] = mapped_column(String(5), nullable=True)
    second_next_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    second_last_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    follow_up_due: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The local day of the latest weekly review (the first week counts from the first send).
    review_day: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The local day asked for the first one ("from tomorrow"); recomputing a due time (a
    # change, a resume, a second reminder) never brings it before that day.
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_reminders_next_due", "next_due"),
        Index("ix_reminders_snooze_due", "snooze_due"),
        Index("ix_reminders_second_next_due", "second_next_due"),
        Index("ix_reminders_follow_up_due", "follow_up_due"),
    )


class CheckinRow(Base):
    """One pain check-in per person and local day."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_checkins_user_day"),)


class FunctionScoreRow(Base):
    """How hard an activity the person named is, 0-10, on a day (in the manner of PSFS)."""

    __tablename__ = "function_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    activity: Mapped[str] = mapped_column(String(120))
    score: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("user_id", "day", "activity", name="uq_function_scores_day"),
    )


class LevelChangeRow(Base):
    """A move of the person's program changed level (or joined or left it) on a day."""

    __tablename__ = "level_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    exercise: Mapped[str] = mapped_column(String(64))
    before: Mapped[int] = mapped_column(Integer)
    after: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LeadRow(Base):
    """A request for a professional to call back (kept as a tombstone once withdrawn by /forget)."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    best_time: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    symptoms: Mapped[str] = mapped_column(Text, default="[]")
    red_flags: Mapped[str] = mapped_column(Text, default="[]")
    pain_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Known conditions, as symptoms and red_flags: a JSON list of ids (revision 0010). No
    # Python-side default, as report_wanted below: rows of an older schema need not know it.
    conditions: Mapped[str] = mapped_column(Text, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    staff_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The person asked to attach their report; the staff chat's message carrying it, once sent
    # (kept after /forget until that message is deleted).
    # No Python-side default: set when a request is made, so that rows written by an older
    # schema (and the migration tests that write them) need not know the column.
    report_wanted: Mapped[bool] = mapped_column(Boolean, server_default=false())
    report_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class OutboxRow(Base):
    """A message to staff that must be delivered exactly once; retried until Telegram takes it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(32))
    lead_code: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)


class InboxRow(Base):
    """A Telegram update as received, so it is applied once and in order by any worker.

    The row is written before the webhook answers Telegram (or, polling, before the next
    getUpdates confirms the update to Telegram), and marked processed in the same
    transaction as the conversation step it caused; the message itself (`payload`) is cleared
    then, so the inbox never keeps what people wrote.
    """

    __tablename__ = "inbox"

    # Telegram numbers each bot's updates on its own: the bot's id (its token's number; 0 on
    # rows recorded before updates were keyed by bot, until the first bot adopts them).
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose updates must be taken in order (the sender); None once /forget anonymised the row.
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    processed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A button press's callback query id, kept once applied: its answer goes out beside the
    # step, so a worker killed between the commit and the answer leaves a spinning button that
    # the next start answers (bot/channels/telegram/router.py). An opaque id, not personal data.
    answer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index(
            "ix_inbox_pending",
            "bot_id",
            "user_id",
            "update_id",
            postgresql_where=text("processed_at IS NULL"),
            sqlite_where=text("processed_at IS NULL"),
        ),
        Index("ix_inbox_processed_at", "processed_at"),
    )


class GuideRow(Base):
    """A person's guided session (one at a time): its plan and times, and the message that
    shows it, edited by the guide runner when `next_edit_at` comes (None: nothing to show).

    `version` grows with every change the person makes (pause, resume, stop), so a runner
    that edited with an older one knows to show the change again.
    """

    __tablename__ = "guides"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    exercise: Mapped[str] = mapped_column(String(64))
    plan: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paused_s: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    next_edit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_edit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_guides_next_edit_at", "next_edit_at"),)


class FeedbackRow(Base):
    """How a move felt (easy, just_right, hard, hurt): one per person, exercise and local day."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    exercise: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    feeling: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("user_id", "exercise", "day", name="uq_feedback_user_exercise_day"),
    )


class MediaFileRow(Base):
    """A picture Telegram already holds: sent again by its file_id instead of uploaded.

    File ids belong to one bot, so the key is the bot's id and what the file is (exercise,
    variant, kind and a hash of what it is drawn from: see bot/render/keys.py).
    """

    __tablename__ = "media_files"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    file_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
