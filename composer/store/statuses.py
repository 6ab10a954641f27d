"""The statuses of editions and posts, the groups every store rule is made of, and the
clock: plain Python, so the quick history read (`composer.store.quick`) and the front ends
can use them without importing SQLAlchemy. `models` stores them."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum


def utc_now() -> datetime:
    return datetime.now(UTC)


class EditionStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    MISSED = "missed"
    # Taken back (`retract`): its sent posts are being deleted on the platform, or were.
    RETRACTING = "retracting"
    RETRACTED = "retracted"


# The groups of edition statuses the store's rules are made of, each written here once.
# Stopped midway on an error, partial or failed: resumable from the ledger.
STOPPED = (EditionStatus.PARTIAL, EditionStatus.FAILED)
# What `publish` resumes rather than copies: being published, or stopped midway.
RESUMABLE = (EditionStatus.PUBLISHING, *STOPPED)
# An account "has" a thread once an edition of it waits for its time, is being sent or was
# sent: making another would post the same thread twice.
HOLDING = (EditionStatus.SCHEDULED, EditionStatus.PUBLISHING, EditionStatus.PUBLISHED)
# Shown by `queue` whatever the options: waiting, or being published right now.
ACTIVE = (EditionStatus.SCHEDULED, EditionStatus.PUBLISHING)
# Called off before anything was sent: cancelled, or its time passed unpublished. Its
# posting slot is free again.
CALLED_OFF = (EditionStatus.CANCELLED, EditionStatus.MISSED)
# Taken back, or being taken back (a retraction stopped midway resumes from the ledger).
WITHDRAWN = (EditionStatus.RETRACTING, EditionStatus.RETRACTED)
# What `retract` may take back: every edition that may have sent a post (whether it did,
# its ledger says: the posts `SENT`), and one whose retraction stopped midway.
RETRACTABLE = (EditionStatus.PUBLISHED, *STOPPED, EditionStatus.RETRACTING)
# What a claim is held on: an edition being published, or being retracted.
HELD = (EditionStatus.PUBLISHING, EditionStatus.RETRACTING)
# Editions that went out, or started to: what the history screen lists.
FINISHED = (EditionStatus.PUBLISHED, *STOPPED, *WITHDRAWN)
# Added to `queue` by `include_done`: finished one way or another.
DONE = (*FINISHED, *CALLED_OFF)
# A followed edition that ended this way will never be published: its follow-ups fail.
ENDED = (EditionStatus.FAILED, *CALLED_OFF, *WITHDRAWN)


class PostStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    # Sent, then deleted on the platform by `retract` (or found gone there); the ledger
    # keeps its text, remote id and link.
    RETRACTED = "retracted"


# The posts that went out: sent, and maybe taken back since. The one "was it sent" rule for
# the ledger (never sent twice), the history (what was published) and `retract`.
WENT_OUT = (PostStatus.SENT, PostStatus.RETRACTED)


class AttemptOutcome(StrEnum):
    OK = "ok"
    ERROR = "error"
    UNCLEAR = "unclear"
