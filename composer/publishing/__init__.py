"""Publishing threads: never twice, never half.

- `plans`: the one composition of a draft for its accounts (EditionPlan, plan_editions,
  ask_new_instances, fit_to_instances, follow_up, check_not_published, refuse_images,
  with_link_cards: each post's Bluesky link card, fetched before the edition is written).
- `connect`: the one place a platform client is built, with its stored session
  (client_for), and the pre-flight (preflight, preflight_accounts, preflight_edition,
  preflight_claimed).
- `sender`: the ledger loop that sends one edition (publish_edition, Event, PublishResult).
- `uploads`: a post's images, prepared, uploaded and recorded before the post (attach_media).
- `retraction`: taking an edition back, its sent posts deleted last first, each written to
  the ledger (retract_plan, RetractPlan, retract_edition, RetractResult).
- `verification`: asking a platform who an account is, for the accounts screen and
  `accounts verify` (verify_account, verify_accounts, Verification).
- `actions`: publish now and resume, claiming first (run_editions, publish_existing,
  refuse_edition), and retract, called by the CLI, the TUI and the daemon; the image cache
  pruned after (prune_media).

The names callers use are re-exported here.
"""

from composer.publishing.actions import (
    QUOTA_WARNING_SHARE,
    AccountListener,
    prune_media,
    publish_existing,
    refuse_edition,
    retract,
    run_editions,
)
from composer.publishing.connect import (
    client_for,
    preflight,
    preflight_accounts,
    preflight_claimed,
    preflight_edition,
)
from composer.publishing.errors import PreflightError, PublishError
from composer.publishing.plans import (
    PUBLISH_AGAIN,
    EditionPlan,
    FollowUp,
    already_has,
    ask_new_instances,
    check_not_published,
    fit_to_instances,
    follow_up,
    plan_editions,
    ready_to_send,
    refuse_images,
    with_link_cards,
)
from composer.publishing.retraction import (
    RetractPlan,
    RetractResult,
    RetractTarget,
    retract_edition,
    retract_plan,
)
from composer.publishing.sender import (
    BACKOFF_CAP,
    BACKOFF_START,
    LONGEST_WAIT,
    MAX_ATTEMPTS,
    SENDING_SETTLE,
    UNCLEAR_SETTLE,
    Event,
    Interrupted,
    Listener,
    PublishResult,
    Sleep,
    publish_edition,
    stoppable_sleep,
)
from composer.publishing.verification import Verification, verify_account, verify_accounts

__all__ = [
    "BACKOFF_CAP",
    "BACKOFF_START",
    "LONGEST_WAIT",
    "MAX_ATTEMPTS",
    "PUBLISH_AGAIN",
    "QUOTA_WARNING_SHARE",
    "SENDING_SETTLE",
    "UNCLEAR_SETTLE",
    "AccountListener",
    "EditionPlan",
    "Event",
    "FollowUp",
    "Interrupted",
    "Listener",
    "PreflightError",
    "PublishError",
    "PublishResult",
    "RetractPlan",
    "RetractResult",
    "RetractTarget",
    "Sleep",
    "Verification",
    "already_has",
    "ask_new_instances",
    "check_not_published",
    "client_for",
    "fit_to_instances",
    "follow_up",
    "plan_editions",
    "preflight",
    "preflight_accounts",
    "preflight_claimed",
    "preflight_edition",
    "prune_media",
    "publish_edition",
    "publish_existing",
    "ready_to_send",
    "refuse_edition",
    "refuse_images",
    "retract",
    "retract_edition",
    "retract_plan",
    "run_editions",
    "stoppable_sleep",
    "verify_account",
    "verify_accounts",
    "with_link_cards",
]
