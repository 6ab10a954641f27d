"""Failure notifications (issue 13): telling a person, through Apprise, when a thread did not
go out (failed, missed, stopped, late) or, if asked, when it did.

- `messages`: what a notification says (plain, safe text);
- `delivery`: sending through Apprise (imported only when sending), off the caller's thread,
  with timeouts;
- `events`: finding the events (once each, in the store's `notifications` table) and
  delivering them, for a daemon round (`notify_round`);
- `health`: what `thread-composer check` reports.

Configuration is the accounts file's [notify] tables (`composer.workspace.notify_config`).
"""

from composer.notify.delivery import TargetResult, check_config, check_urls, send, send_trial
from composer.notify.events import LATE_AFTER, deliver_due, notify_round, record_events
from composer.notify.messages import Message, edition_message, trial_message

__all__ = [
    "LATE_AFTER",
    "Message",
    "TargetResult",
    "check_config",
    "check_urls",
    "deliver_due",
    "edition_message",
    "notify_round",
    "record_events",
    "send",
    "send_trial",
    "trial_message",
]
