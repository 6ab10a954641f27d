"""Recurring rules: what a daemon round pays to turn due occurrences into editions.

1. Next times: `Rule.next_after` (APScheduler's CronTrigger plus the DST checks made here)
   against CronTrigger.get_next_fire_time alone, per call.
2. A round's materialization: N rules due in the same minute (each composed from its draft
   and written with its ledger, the rule moved on in the same transaction) against writing
   the same N editions the one-off way (planned, then written with `schedule_new`, as
   `thread-composer schedule` does), on SQLite.

uv run python -m benchmarks.bench_recurring          # 200 rules
uv run python -m benchmarks.bench_recurring 1000
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from benchmarks.timing import arguments, best_time, human
from composer.publishing import plan_editions
from composer.recurring import create_rules, materialize_due, parse_rule
from composer.store import DraftEdition, open_database, schedule_new
from composer.workspace.config import parse_config
from composer.workspace.drafts import load_draft

T0 = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)


def next_times() -> None:
    rule = parse_rule("Mon-Fri 09:00", "Europe/Berlin")
    trigger = CronTrigger(
        minute="0", hour="9", day_of_week="mon-fri", timezone=ZoneInfo("Europe/Berlin")
    )
    ours = best_time(lambda: rule.next_after(T0))
    raw = best_time(lambda: trigger.get_next_fire_time(None, T0))
    print(f"next time:   Rule.next_after {human(ours)}   CronTrigger alone {human(raw)}", end="")
    print(f"   ratio {ours / raw:.1f}x")


def materialization(rules: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        accounts = "".join(
            f'[accounts.m{i}]\nplatform = "mastodon"\ninstance = "https://m.example"\n'
            f'access_token_env = "TOK"\n'
            for i in range(rules)
        )
        config = parse_config(accounts)
        draft_path = root / "weekly.md"
        draft_path.write_text(
            '+++\ntitle = "Weekly"\ntimezone = "Europe/Berlin"\n+++\n'
            + "The week in review, with what changed and why it matters. " * 40,
            encoding="utf-8",
        )
        draft = load_draft(str(draft_path))
        names = list(config.accounts)

        db = open_database(str(root / "recurring.sqlite3"))
        create_rules(db, draft, draft_path, config, names, every="Mon 09:00", now=T0)
        due = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)
        start = time.perf_counter()
        done = materialize_due(db, config, now=due, grace=timedelta(minutes=15))
        recurring = time.perf_counter() - start
        assert len(done.scheduled) == rules, done
        db.close()

        db = open_database(str(root / "oneoff.sqlite3"))
        start = time.perf_counter()
        for name in names:  # composed and written one account at a time, as materialize does
            plans = plan_editions(draft, draft_path, config, [name], for_real=False)
            new = [
                DraftEdition(
                    p.draft_text, p.new_edition(scheduled_at=due, timezone="Europe/Berlin")
                )
                for p in plans
            ]
            schedule_new(db, new, again=False)
        oneoff = time.perf_counter() - start
        db.close()
    print(
        f"{rules} due rules: materialize {human(recurring)} ({human(recurring / rules)} each)"
        f"   one-off editions {human(oneoff)}   ratio {recurring / oneoff:.2f}x"
    )


if __name__ == "__main__":
    count = arguments("Recurring rules: next times and materialization.", count=200).count
    next_times()
    materialization(count)
