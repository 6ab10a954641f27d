"""What a notification says, and that text from platforms and files cannot smuggle in
controls, markup or a secret."""

from __future__ import annotations

from datetime import UTC, datetime

from composer.notify.messages import edition_message, plain
from composer.redaction import forget_secrets, register_secret
from composer.store import EditionFacts, EditionStatus, SentPost

AT = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


def facts(**changes: object) -> EditionFacts:
    values: dict[str, object] = {
        "edition_id": 7,
        "account": "ank-x",
        "platform": "x",
        "status": EditionStatus.PARTIAL,
        "title": "Press briefing",
        "scheduled_at": AT,
        "timezone": "Asia/Almaty",
        "last_error": "HTTP 503: over capacity",
        "total": 3,
        "sent": (SentPost(1, "https://x.com/a/status/1"), SentPost(2, "javascript:alert(1)")),
        "resume": "thread-composer publish drafts/brief.md --account ank-x",
    }
    return EditionFacts(**{**values, **changes})  # type: ignore[arg-type]


def test_stopped_names_time_in_zone_posts_and_resume_command() -> None:
    message = edition_message("stopped", facts(), AT)
    assert message.title == "thread-composer: STOPPED: Press briefing (ank-x)"
    assert message.body.splitlines() == [
        'The thread "Press briefing" on ank-x (x), scheduled for 2026-12-04 08:00 Asia/Almaty,'
        " stopped after 2 of 3 posts: HTTP 503: over capacity.",
        "Posts that went out:",
        "  1. https://x.com/a/status/1",
        "  2. (no link)",
        "The rest is kept; resume it with: thread-composer publish drafts/brief.md --account ank-x",
    ]


def test_remote_and_file_text_is_plain_and_without_secrets() -> None:
    forget_secrets()
    register_secret("tok3nValue99")
    title = "Brief\x1b]8;;https://evil\x07\u202eing <script>x</script> **bold**\nline"
    message = edition_message(
        "failed", facts(title=title, last_error="401 for tok3nValue99\x9b2J", sent=()), AT
    )
    text = message.title + message.body
    for bad in ("\x1b", "\x07", "\u202e", "\x9b", "<script>", "**", "tok3nValue99"):
        assert bad not in text
    assert "\n" not in message.title
    assert plain("a\tb\r\nc") == "a b c"
    forget_secrets()


def test_every_event_has_words() -> None:
    for event in ("failed", "missed", "stopped", "retrying", "published"):
        message = edition_message(event, facts(), AT.replace(hour=4))
        assert "Press briefing" in message.title and "Asia/Almaty" in message.body
    assert (
        "60 minutes past its time" in edition_message("retrying", facts(), AT.replace(hour=4)).body
    )


def test_one_post_is_one_post() -> None:
    one = facts(total=1, sent=(SentPost(1, "https://x.com/a/status/1"),))
    assert "was published (1 post)." in edition_message("published", one, AT).body
    late = edition_message("retrying", facts(total=1, sent=()), AT.replace(minute=1))
    assert "is 1 minute past its time" in late.body and "(0 of 1 post out" in late.body
    assert (
        "stopped after 0 of 1 post:" in edition_message("stopped", facts(total=1, sent=()), AT).body
    )
