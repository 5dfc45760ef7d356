"""What the report prints for each benchmark: its headline figures, baselines and goals.

Each benchmark module returns a flat dict of figures (`run() -> dict[str, float]`). The rows
below pick the figures worth a line: the figure (a median), the baseline measured in the same
run, their ratio, and the goal its issue sets. Figures without a row are still printed, in a
compact list under the table, so nothing a benchmark measured is hidden.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Goal:
    """A goal on one figure: `figure op limit`, e.g. cost_ratio <= 2."""

    figure: str
    op: str
    limit: float
    text: str

    def check(self, figures: dict[str, float]) -> str:
        """Return PASS, MISS, or n/a when the figure is missing."""
        value = figures.get(self.figure)
        if value is None or math.isnan(value):
            return "n/a"
        return "PASS" if _OPS[self.op](value, self.limit) else "MISS"


@dataclass(frozen=True)
class Row:
    """One line of the report."""

    label: str
    figure: str
    unit: str = ""
    baseline: str | None = None  # the same-run baseline's figure
    ratio: str | None = None  # a figure holding the ratio (else figure / baseline)
    goal: Goal | None = None


@dataclass(frozen=True)
class Bench:
    """A benchmark module (bench/bench_<name>.py) and what its report shows."""

    name: str
    title: str
    baseline: str = ""  # what the baseline column is, in words
    rows: tuple[Row, ...] = ()
    timeout_s: float = 240.0


BENCHES: tuple[Bench, ...] = (
    Bench(
        "fuzz",
        "10,000 random actions from 200 people against the real bot (safety issue)",
        "",
        (
            Row("actions", "actions", ""),
            Row(
                "updates that failed",
                "failed_updates",
                "",
                goal=Goal("failed_updates", "==", 0, "0"),
            ),
        ),
        timeout_s=420.0,
    ),
    Bench(
        "answers",
        "Held-back answers to the bot's questions, understood at first try",
        "",
        (
            Row(
                "answers understood at first try",
                "first_try_share",
                "",
                goal=Goal("first_try_share", ">=", 0.95, "≥ 95%"),
            ),
            Row("answers scored (of the set)", "answers", ""),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "reader",
        "Symptom reader: per message, and on the real sentences (dev, dev2, dev3, dev4, test)",
        "a plain difflib reader, same messages",
        (
            Row(
                "p99 per message",
                "reader_p99_us",
                "µs",
                "baseline_p99_us",
                "ratio_p99",
                Goal("reader_p99_us", "<", 1000.0, "p99 < 1 ms"),
            ),
            Row(
                "median per message", "reader_median_us", "µs", "baseline_median_us", "ratio_median"
            ),
            Row("one 10,000-character message", "long_message_10k_chars_ms", "ms"),
            *(
                row
                for split in ("dev", "dev2", "dev3", "dev4", "test")
                for row in (
                    Row(
                        f"{split}: symptom micro-F1",
                        f"{split}_symptom_f1",
                        goal=Goal(f"{split}_symptom_f1", ">=", 0.85, "≥ 0.85")
                        if split == "test"
                        else None,
                    ),
                    Row(f"{split}: location micro-F1", f"{split}_location_f1"),
                    Row(
                        f"{split}: warning-sign recall, exact",
                        f"{split}_sign_recall_exact_pct",
                        "%",
                        goal=Goal(f"{split}_sign_recall_exact_pct", ">=", 95.0, "≥ 95%")
                        if split == "test"
                        else None,
                    ),
                    Row(
                        f"{split}: warning-sign recall, any sign",
                        f"{split}_sign_recall_any_pct",
                        "%",
                        goal=Goal(f"{split}_sign_recall_any_pct", ">=", 95.0, "≥ 95%")
                        if split == "test"
                        else None,
                    ),
                    Row(
                        f"{split}: false alarms",
                        f"{split}_false_alarms_pct",
                        "%",
                        goal=Goal(f"{split}_false_alarms_pct", "<=", 5.0, "≤ 5%")
                        if split == "test"
                        else None,
                    ),
                )
            ),
            Row("second annotator: symptom micro-F1", "agreement_symptom_f1"),
            Row(
                "second annotator: warning-sign recall, any sign",
                "agreement_sign_recall_any_pct",
                "%",
            ),
            Row("second annotator: false alarms", "agreement_false_alarms_pct", "%"),
            Row("second annotator: Cohen's kappa, any sign", "agreement_any_sign_kappa"),
        ),
    ),
    Bench(
        "dialogue",
        "Dialogue steps with the store write (issue 2)",
        "the pure engine step, same conversations",
        (
            Row("steps per second", "coach_steps_per_s", "/s", "engine_steps_per_s", "rate_ratio"),
            Row(
                "time per step",
                "coach_step_median_ms",
                "ms",
                "engine_step_median_ms",
                "median_ratio",
            ),
            Row("time per step, p99", "coach_step_p99_ms", "ms", "engine_step_p99_ms"),
            Row(
                "CPU time per step",
                "coach_cpu_ms_per_step",
                "ms",
                "engine_cpu_ms_per_step",
                "cpu_ratio",
            ),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "chart",
        "Progress chart render (issue 6)",
        "a bare matplotlib line chart of the same data",
        (
            Row(
                "render one chart",
                "median_ms",
                "ms",
                "baseline_median_ms",
                "ratio_median",
                Goal("median_ms", "<", 300.0, "median < 300 ms"),
            ),
            Row("render one chart, p95", "p95_ms", "ms"),
            Row("peak memory (max RSS)", "maxrss_after_mb", "MiB"),
            Row("RSS growth from rendering", "maxrss_growth_mb", "MiB"),
            Row("allocated during one render", "tracemalloc_peak_mb", "MiB"),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "report",
        "Clinician report PDF, 90 days of data (issue 14)",
        "the chat's progress chart (PNG), same run",
        (
            Row(
                "make the report",
                "median_s",
                "s",
                "chart_median_s",
                "ratio_to_chart",
                Goal("median_s", "<", 1.0, "< 1 s"),
            ),
            Row("make the report, CPU time", "cpu_median_s", "s"),
            Row("PDF size", "pdf_kb", "KiB"),
            Row("pages", "pages"),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "program",
        "A routine step from the person's program, with the ladder rules (issue 14)",
        "the same taps in a first routine, same run",
        (
            Row(
                "program routine step",
                "program_step_median_ms",
                "ms",
                "plain_step_median_ms",
                "step_ratio_median",
            ),
            Row("ratio, lowest round", "step_ratio_min"),
            Row("ratio, highest round", "step_ratio_max"),
            Row("CPU ratio", "cpu_ratio_median"),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "telegram",
        "Whole Telegram bot, 4 people at a time under Telegram's 30 messages/s (issue 15)",
        "a bare python-telegram-bot echo bot with PTB's AIORateLimiter, same fake server, same run",
        (
            Row(
                "CPU time per update",
                "ours_cpu_ms_per_update",
                "ms",
                "echo_cpu_ms_per_update",
                "cost_ratio",
                Goal("cost_ratio", "<=", 2.0, "ratio ≤ 2"),
            ),
            Row("cost ratio, lowest trial", "cost_ratio_min", "x"),
            Row("cost ratio, highest trial", "cost_ratio_max", "x"),
            Row(
                "update to first reply p50",
                "ours_p50_ms",
                "ms",
                "echo_p50_ms",
                "p50_ratio",
                Goal("p50_ratio", "<=", 1.5, "ratio ≤ 1.5"),
            ),
            Row(
                "update to first reply p99, all trials' replies",
                "ours_pooled_p99_ms",
                "ms",
                "echo_pooled_p99_ms",
                "p99_ratio",
                Goal("p99_ratio", "<=", 1.5, "ratio ≤ 1.5"),
            ),
            Row(
                "update to first reply p99, median trial",
                "ours_p99_ms",
                "ms",
                "echo_p99_ms",
                "p99_trial_ratio",
            ),
            Row("p99 ratio, lowest trial", "p99_trial_ratio_min", "x"),
            Row("p99 ratio, highest trial", "p99_trial_ratio_max", "x"),
            Row("Bot API sends per update", "ours_calls_per_update", "", "echo_calls_per_update"),
            Row("getUpdates per update", "ours_polls_per_update", "", "echo_polls_per_update"),
            Row("Bot API sends per second", "ours_sends_per_s", "/s", "echo_sends_per_s"),
        ),
        timeout_s=720.0,
    ),
    Bench(
        "fanout",
        "Reminder fan-out under a global rate limit (issue 4)",
        "the limit's bound, N / rate",
        (
            Row(
                "deliver all reminders",
                "deliver_s",
                "s",
                "bound_s",
                "bound_ratio",
                Goal("bound_ratio", "<=", 1.1, "ratio ≤ 1.1"),
            ),
            Row("429 answers", "count_429", "", goal=Goal("count_429", "==", 0, "0")),
            Row("duplicates", "duplicates", "", goal=Goal("duplicates", "==", 0, "0")),
            Row("missed", "missed", "", goal=Goal("missed", "==", 0, "0")),
            Row("send rate", "sends_per_s", "/s", "rate_limit_per_s"),
        ),
        timeout_s=240.0,
    ),
    Bench(
        "pictures",
        "Draw every exercise picture, stills and GIFs, from cold caches (issue 13)",
        "a blank figure of the same size saved as PNG",
        (
            Row("draw all (13 PNG + 13 GIF)", "all_s", "s"),
            Row("the stills", "stills_s", "s"),
            Row("the GIFs", "gifs_s", "s"),
            Row("one still", "still_ms_each", "ms", "empty_png_ms"),
            Row("one GIF", "gif_ms_each", "ms"),
            Row("the slowest GIF (a first card's wait)", "slowest_gif_ms", "ms"),
        ),
        timeout_s=240.0,
    ),
    Bench(
        "guides",
        "200 guided sessions at once under the global rate limit (issue 13)",
        "the runner's budget: half of TELEGRAM_MAX_RATE",
        (
            Row("edits per second", "edits_per_s", "/s", "budget_per_s"),
            Row("429 answers", "count_429", "", goal=Goal("count_429", "==", 0, "0")),
            Row(
                "shortest gap between edits of a message",
                "gap_min_s",
                "s",
                goal=Goal("gap_min_s", ">=", 5.0, "≥ 5 s"),
            ),
            Row("median gap between edits of a message", "gap_median_s", "s"),
            Row("busiest second", "busiest_second_edits", "edits", "rate_limit_per_s"),
        ),
        timeout_s=180.0,
    ),
    Bench(
        "metrics",
        "What counting costs: a Bot API call counted, and the /metrics page (issue 15)",
        "PTB's own request, same fake server, same run",
        (
            Row(
                "counting one Bot API call, CPU",
                "count_us",
                "µs",
                "plain_cpu_us_per_call",
                "counting_share",
                Goal("counting_share", "<=", 0.01, "≤ 1% of a call"),
            ),
            Row(
                "a whole call, counted (noisy)",
                "counted_cpu_us_per_call",
                "µs",
                "plain_cpu_us_per_call",
                "end_to_end_ratio",
            ),
            Row("/metrics page, every label in use", "page_ms", "ms"),
        ),
        timeout_s=120.0,
    ),
    Bench(
        "inbox",
        "CPU per update applied through the inbox, polling (issue 15)",
        "the step claiming its update itself, as polling did before",
        (
            Row(
                "CPU per update, SQLite",
                "inbox_cpu_ms_per_update",
                "ms",
                "direct_cpu_ms_per_update",
                "inbox_vs_direct",
            ),
        ),
        timeout_s=180.0,
    ),
    Bench(
        "workers",
        "Several webhook workers on one store (issue 7)",
        "one worker on SQLite, same run",
        (
            Row(
                "updates per second, SQLite, 1 worker",
                "sqlite_1_worker_updates_per_s",
                "/s",
                "sqlite_1_worker_updates_per_s",
            ),
            *(
                Row(
                    f"updates per second, PostgreSQL, {n} worker{'s' if n > 1 else ''}",
                    f"pg_{n}_workers_updates_per_s",
                    "/s",
                    "sqlite_1_worker_updates_per_s",
                    f"pg_{n}_workers_vs_sqlite",
                )
                for n in (1, 2, 3)
            ),
        ),
        timeout_s=300.0,
    ),
    Bench(
        "retention",
        "Data that expires: the dispatcher's tick with 20,000 people on SQLite (issue 15.3)",
        "the reminder sender's idle tick, same store, same run",
        (
            Row(
                "idle tick (nobody due)",
                "idle_tick_ms",
                "ms",
                "reminder_idle_tick_ms",
                "idle_ratio",
                Goal("idle_ratio", "<=", 3.0, "ratio ≤ 3"),
            ),
            Row(
                "a step's row write, last seen kept",
                "state_write_seen_ms",
                "ms",
                "state_write_unseen_ms",
                "state_write_ratio",
                Goal("state_write_ratio", "<=", 1.2, "ratio ≤ 1.2"),
            ),
            Row("a notice, recorded and sent", "notice_ms_per_person", "ms"),
            Row("an erasure (as /forget)", "erase_ms_per_person", "ms"),
        ),
        timeout_s=180.0,
    ),
)
