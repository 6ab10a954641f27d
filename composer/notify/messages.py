"""What a notification says: the account, the draft's title, the scheduled time in the
edition's zone, the reason in plain words, and for a stopped edition the posts that went
out (with links) and the exact command that resumes it.

Text from files and platforms (a title, a refusal, a link) is made safe first: control and
bidi characters and markup are taken out, so a message shows in a terminal, a mail client
or a chat as plain text and cannot pose as another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from composer.redaction import redact
from composer.store import EditionFacts, EditionStatus
from composer.text.display import plural

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MARKUP = re.compile(r"<[^>\n]{0,200}>|[*`]")  # HTML tags; Markdown emphasis and code
_LINK = re.compile(r"https?://[^\s<>\"'`]+")
_LIMIT = 300


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str


def plain(text: str, limit: int = _LIMIT) -> str:
    """`text` (remote or from a file) as one safe line of plain text, secrets blanked."""
    text = _MARKUP.sub("", _UNSAFE.sub("", redact(text, limit=10_000)))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(facts: EditionFacts) -> str:
    """The scheduled time in the edition's zone ("now" when it was published unscheduled)."""
    if facts.scheduled_at is None:
        return "to be published at once"
    zone_name = facts.timezone or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    local: datetime = facts.scheduled_at.astimezone(zone)
    return f"scheduled for {local:%Y-%m-%d %H:%M} {zone_name}"


def edition_message(event: str, facts: EditionFacts, now: datetime) -> Message:
    title = plain(facts.title, 120) or "(untitled)"
    account = plain(facts.account, 100)
    what = f'The thread "{title}" on {account} ({facts.platform}), {when(facts)},'
    reason = plain(facts.last_error) if facts.last_error else ""
    sent = len(facts.sent)
    lines: list[str]
    if event == "failed":
        lines = [
            f"{what} was refused: {reason or 'no reason given'}.",
            "Nothing was posted.",
            f"Fix the account, then publish it: {facts.resume}",
        ]
    elif event == "missed":
        lines = [
            f"{what} was not published: no daemon sent it within the grace period after "
            "its time (was a daemon running?).",
            "Nothing was posted; schedule it again if it is still wanted.",
        ]
    elif event == "stopped":
        if not reason and facts.status is EditionStatus.PUBLISHING:
            reason = "the process publishing it stopped (killed, crashed or interrupted)"
        lines = [
            f"{what} stopped after {sent} of {plural(facts.total, 'post')}: "
            f"{reason or 'no reason given'}.",
            *_posts(facts),
            f"The rest is kept; resume it with: {facts.resume}",
        ]
    elif event == "retrying":
        late = int((now - facts.scheduled_at).total_seconds() // 60) if facts.scheduled_at else 0
        lines = [
            f"{what} is {plural(late, 'minute')} past its time and not published yet "
            f"({sent} of {plural(facts.total, 'post')} out"
            + (f"; last error: {reason}" if reason else "")
            + ").",
            "A daemon keeps trying (rate limits, errors); nothing is needed unless it "
            "should have gone out by now.",
        ]
    else:  # published
        lines = [f"{what} was published ({plural(facts.total, 'post')}).", *_posts(facts)]
    label = {
        "failed": "FAILED",
        "missed": "MISSED",
        "stopped": "STOPPED",
        "retrying": "LATE",
        "published": "published",
    }[event]
    return Message(f"thread-composer: {label}: {title} ({account})", "\n".join(lines))


def _posts(facts: EditionFacts) -> list[str]:
    if not facts.sent:
        return []
    return ["Posts that went out:"] + [
        f"  {post.position}. {_link(post.url)}" for post in facts.sent
    ]


def _link(url: str | None) -> str:
    """A post's link as given by the platform, if it is one plain http(s) URL."""
    if url and _LINK.fullmatch(url) and not _UNSAFE.search(url):
        return url
    return "(no link)"


def silence_message(detail: str) -> Message:
    return Message("thread-composer: no daemon running", plain(detail, 1000))


def trial_message() -> Message:
    return Message(
        "thread-composer: test notification",
        "This is a test: thread-composer will send failures to this address.",
    )
