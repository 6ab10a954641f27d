"""Counting speed: composer.count against twitter-text-parser's parse_tweet, same texts.

uv run python -m benchmarks.bench_count
"""

from __future__ import annotations

import warnings

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
    print()
    print("Other platforms, same texts")
    print(f"{'text':<16} {'mastodon':>12} {'bluesky':>12} {'threads':>12}")
    for name, text in texts.items():
        row = [
            human(best_time(lambda p=p: count(text, p))) for p in ("mastodon", "bluesky", "threads")
        ]
        print(f"{name:<16} {row[0]:>12} {row[1]:>12} {row[2]:>12}")


if __name__ == "__main__":
    main()
