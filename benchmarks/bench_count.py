"""Counting speed: composer.count against twitter-text-parser's parse_tweet, same texts.

uv run python -m benchmarks.bench_count
"""

from __future__ import annotations

import itertools
import random
import warnings
from collections.abc import Callable
from functools import partial

from benchmarks.timing import best_time, human
from composer import count

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # twitter-text-parser imports the deprecated pkg_resources
    import twitter_text

ENGLISH = (
    "Almaty Rights Monitor deployed 230 observers to 1,146 polling stations on election day; "
    "see the method at https://almatyrights.example.org/method?lang=en and osce.org for the "
    "ODIHR statement. @hrw and @freedomhouse have raised the same concerns. "
)
RUSSIAN = (
    "В день голосования 230 наших наблюдателей посетили 1 146 избирательных участков во всех "
    "областях страны, т.е. примерно каждый десятый участок; методика опубликована на сайте. "
)
KAZAKH_EMOJI = (
    "Сайлау учаскелерінде бақылаушылар 14 жерде бюллетень салуды көрді 🗳️. Тәуелсіз "
    "бақылаушыларға қысым жасалды, толығырақ: https://almatyrights.example.org/kk 🇰🇿. "
    "Біз есептеу барысын 97 учаскеде қадағаладық және нәтижелерді жариялаймыз 👍🏽. "
    "Келесі баяндама ақпан айында шығады, ал бүгін қысқаша мәлімдеме ғана. "
)
# A stress case rather than a report: 33 emoji sequences in 1,000 characters.
EMOJI = (
    "Update 👍🏽 from the field 🇰🇿: counting continues 🐦‍🔥, results at https://example.org soon. "
)


def thousand(text: str) -> str:
    return (text * (1000 // len(text) + 1))[:1000].rsplit(" ", 1)[0]


# --- Mixed text, as users paste it: every script and entity kind at once, each text new.
_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
_KAZAKH = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_CJK = "的一是不了人我在有他这中大来上个国到说们为子和地出道也时年就那要下以生会自可"
_EMOJI = ["👍", "🗳️", "🐦‍🔥", "❤️", "😀", "🎉", "☕", "✅", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "1️⃣"]
_TONES = ["", "\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff"]
_TONED = ["👍", "👋", "🙌", "👏", "💪", "🧑‍🤝‍🧑"]
_FLAGS = ["KZ", "RU", "US", "JP", "CN", "DE", "FR", "UA", "KG", "UZ"]
_PUNCTUATION = [" ", " ", " ", " ", ", ", ". ", "! ", "? ", ": ", "\n", " — "]
# More distinct texts than the counting caches hold (4,096 URL segments), so none is warm.
MIXED_TEXTS = 1000


def _word(rng: random.Random, letters: str, low: int = 2, high: int = 10) -> str:
    return "".join(rng.choices(letters, k=rng.randint(low, high)))


def _mixed_token(rng: random.Random) -> str:
    kind = rng.choices(
        ["latin", "cyrillic", "kazakh", "cjk", "emoji", "toned", "flag", "url", "mention", "tag"],
        weights=[20, 15, 15, 8, 5, 3, 2, 3, 2, 2],
    )[0]
    if kind == "latin":
        return _word(rng, _LATIN)
    if kind == "cyrillic":
        return _word(rng, _CYRILLIC)
    if kind == "kazakh":
        return _word(rng, _KAZAKH)
    if kind == "cjk":
        return _word(rng, _CJK, 2, 6)
    if kind == "emoji":
        return rng.choice(_EMOJI)
    if kind == "toned":
        return rng.choice(_TONED) + rng.choice(_TONES)
    if kind == "flag":
        return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in rng.choice(_FLAGS))
    if kind == "url":
        host = f"{_word(rng, _LATIN.lower(), 3, 10)}.{rng.choice(['org', 'com', 'kz', 'ru'])}"
        path = f"/{_word(rng, _LATIN, 2, 12)}" if rng.random() < 0.7 else ""
        return (rng.choice(["https://", "http://", ""])) + host + path
    if kind == "mention":
        return "@" + _word(rng, _LATIN + "_0123456789", 3, 12)
    return "#" + _word(rng, rng.choice([_LATIN, _CYRILLIC, _KAZAKH]), 3, 12)


def mixed_texts(count: int = MIXED_TEXTS, seed: int = 16) -> list[str]:
    """`count` different 1,000-character texts mixing scripts, emoji, URLs, mentions, tags."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts: list[str] = []
        length = 0
        while length < 1000:
            part = _mixed_token(rng) + rng.choice(_PUNCTUATION)
            parts.append(part)
            length += len(part)
        texts.append("".join(parts)[:1000])
    return texts


def each_new(function: Callable[[str], object], texts: list[str]) -> Callable[[], object]:
    """A call of `function` on the next of `texts`, round and round."""
    next_text = itertools.cycle(texts).__next__
    return lambda: function(next_text())


def main() -> None:
    texts = {
        "English + URLs": thousand(ENGLISH),
        "Russian": thousand(RUSSIAN),
        "Kazakh + emoji": thousand(KAZAKH_EMOJI),
        "emoji-dense": thousand(EMOJI),
    }
    print("Counting a 1,000-character text as one X post (best of 7)")
    print(f"{'text':<16} {'composer.count':>14} {'parse_tweet':>14} {'speed-up':>9}")
    for name, text in texts.items():
        ours = best_time(lambda: count(text, "x"))
        theirs = best_time(lambda: twitter_text.parse_tweet(text))
        print(f"{name:<16} {human(ours):>14} {human(theirs):>14} {theirs / ours:8.0f}x")
    mixed = mixed_texts()
    # Both in the same order from the first text, so each sees the same texts.
    ours = best_time(each_new(lambda text: count(text, "x"), mixed))
    theirs = best_time(each_new(twitter_text.parse_tweet, mixed))
    print(f"{'mixed, each new':<16} {human(ours):>14} {human(theirs):>14} {theirs / ours:8.0f}x")
    print()
    print("Other platforms, same texts")
    print(f"{'text':<16} {'mastodon':>12} {'bluesky':>12} {'threads':>12}")
    for name, text in texts.items():
        row = [
            human(best_time(partial(count, text, p))) for p in ("mastodon", "bluesky", "threads")
        ]
        print(f"{name:<16} {row[0]:>12} {row[1]:>12} {row[2]:>12}")
    row = [
        human(best_time(each_new(partial(count, platform_name=p), mixed)))
        for p in ("mastodon", "bluesky", "threads")
    ]
    print(f"{'mixed, each new':<16} {row[0]:>12} {row[1]:>12} {row[2]:>12}")


if __name__ == "__main__":
    main()
