"""Text from elsewhere (a platform's error, a handle, a pasted report) made safe to show in a
terminal: control characters and bidi overrides shown as escapes, never interpreted."""

from __future__ import annotations

from composer.text.patterns import compile_on_use

# C0/C1 controls other than newline and tab, and the bidi overrides that can disguise text.
_UNSAFE = compile_on_use(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every control sequence shown as a visible escape (`\\u001b`)."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """ "1 post", "2 posts" (`nouns` for an irregular plural): every count the user reads."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
