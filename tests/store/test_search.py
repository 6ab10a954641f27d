"""History search: FTS5 over sent posts, every word required, any user text safe."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from composer.store import (
    Database,
    DraftText,
    HistoryHit,
    create_edition,
    open_for_reading,
    record_thread,
)
from composer.store import search as search_through
from composer.store.searching import fts_query, query_words
from tests.store.conftest import T0, publish


def search(db: Database, query: str | None, **options: Any) -> list[HistoryHit]:
    """The search as the TUI makes it (through the engine) and as `history` makes it (the
    same file through sqlite3, without SQLAlchemy): both must give the same hits."""
    through_engine = search_through(db, query, **options)
    quick = open_for_reading(db.engine.url.database)
    assert quick is not None, "an up-to-date SQLite file opens without SQLAlchemy"
    with dataclasses.replace(quick, has_fts=db.has_fts) as through_sqlite3:
        assert search_through(through_sqlite3, query, **options) == through_engine
    return through_engine


@pytest.fixture
def history(db: Database) -> Database:
    publish(
        db,
        ["OSCE: elections without competition in Kazakhstan.", "Observers saw ballot stuffing."],
        title="OSCE statement",
        account="ank-x",
        sent_at=T0,
    )
    publish(
        db,
        ["Выборы в Казахстане прошли без конкуренции.", "Наблюдатели видели вбросы бюллетеней."],
        title="Заявление ОБСЕ",
        account="ank-bsky",
        platform="bluesky",
        sent_at=T0 + timedelta(days=1),
    )
    publish(
        db,
        ["Қазақстандағы сайлау бәсекесіз өтті.", "Бақылаушылар бюллетень салуды көрді."],
        title="ЕҚЫҰ мәлімдемесі",
        account="ank-masto",
        platform="mastodon",
        sent_at=T0 + timedelta(days=2),
    )
    # Never sent: must not show up in history.
    thread = record_thread(db, DraftText(title="Draft", body="elections draft"))
    assert thread.id is not None
    create_edition(db, thread.id, account="ank-x", platform="x", posts=["Unsent elections post"])
    return db


def texts(hits: list[HistoryHit]) -> list[str]:
    return [hit.text for hit in hits]


def test_english_words_are_and_ed(history: Database) -> None:
    hits = search(history, "elections")
    assert texts(hits) == ["OSCE: elections without competition in Kazakhstan."]
    hit = hits[0]
    assert (hit.thread_title, hit.account, hit.platform, hit.index) == (
        "OSCE statement",
        "ank-x",
        "x",
        1,
    )
    assert hit.url == "https://example.org/ank-x/1/1"
    assert hit.sent_at == T0 + timedelta(seconds=1)
    assert hit.edition_status == "published"
    assert texts(search(history, "ballot stuffing")) == ["Observers saw ballot stuffing."]
    assert search(history, "ballot competition") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("выборы", "Выборы в Казахстане прошли без конкуренции."),
        ("ВЫБОРЫ", "Выборы в Казахстане прошли без конкуренции."),
        ("Наблюдатели вбросы", "Наблюдатели видели вбросы бюллетеней."),
        ("сайлау", "Қазақстандағы сайлау бәсекесіз өтті."),
        ("ҚАЗАҚСТАНДАҒЫ", "Қазақстандағы сайлау бәсекесіз өтті."),
        ("көрді", "Бақылаушылар бюллетень салуды көрді."),
        ("OSCE", "OSCE: elections without competition in Kazakhstan."),
        ("osce", "OSCE: elections without competition in Kazakhstan."),
    ],
)
def test_cyrillic_and_case_insensitive(history: Database, query: str, expected: str) -> None:
    assert texts(search(history, query)) == [expected]


def test_ranking_prefers_the_better_match_then_newest(db: Database) -> None:
    publish(db, ["rights"], title="old short", sent_at=T0)
    publish(db, ["rights " + "filler " * 30], title="long", sent_at=T0 + timedelta(days=1))
    publish(db, ["rights"], title="new short", sent_at=T0 + timedelta(days=2))
    ranked = search(db, "rights", rank=True)
    assert [hit.thread_title for hit in ranked] == ["new short", "old short", "long"]


def test_a_query_lists_the_newest_first_and_stops_at_the_limit(db: Database) -> None:
    """Newest first by default (issue 16): the index is walked from its newest post, so a
    word in every post costs no more than a rare one; `limit` of them, newest first."""
    for day in range(30):
        filler = "filler " * (day % 7)  # bm25 would order these otherwise
        publish(
            db, [f"rights {filler}day {day}"], title=f"day {day}", sent_at=T0 + timedelta(days=day)
        )
    hits = search(db, "rights", limit=5)
    assert [hit.thread_title for hit in hits] == [f"day {day}" for day in (29, 28, 27, 26, 25)]
    assert [hit.thread_title for hit in search(db, "rights", limit=5, account="nobody")] == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        'elections"',
        '"unbalanced quote',
        "*",
        "elec*",
        "NEAR",
        "NEAR(elections ballot)",
        "-",
        "-elections",
        "elections -ballot",
        "AND OR NOT",
        "elections AND",
        "text:elections",
        "^elections",
        "(elections",
        "{text}: x",
        "'; DROP TABLE posts; --",
        "\\",
        "%_",
    ],
)
def test_fts_syntax_in_a_query_never_raises(history: Database, query: str) -> None:
    search(history, query)


def test_syntax_is_text_not_operators(history: Database) -> None:
    # NOT would exclude, and a bare * would be a prefix query: here they are plain words.
    assert search(history, "elections NOT") == []
    assert texts(search(history, '"elections"')) == [
        "OSCE: elections without competition in Kazakhstan."
    ]
    assert search(history, "elec*") == []


def test_account_filter(history: Database) -> None:
    assert texts(search(history, None, account="ank-bsky")) == [
        "Наблюдатели видели вбросы бюллетеней.",
        "Выборы в Казахстане прошли без конкуренции.",
    ]
    assert search(history, "elections", account="ank-bsky") == []
    assert len(search(history, "бюллетень", account="ank-masto")) == 1


def test_no_query_lists_the_newest_sent_posts(history: Database) -> None:
    hits = search(history, None)
    assert len(hits) == 6
    assert texts(hits)[:2] == [
        "Бақылаушылар бюллетень салуды көрді.",
        "Қазақстандағы сайлау бәсекесіз өтті.",
    ]
    assert [hit.sent_at for hit in hits] == sorted((hit.sent_at for hit in hits), reverse=True)
    assert "Unsent elections post" not in texts(hits)
    assert len(search(history, "   ", limit=2)) == 2
    assert search(history, '- * "', limit=2) == []


def test_edited_and_deleted_texts_leave_the_index(history: Database) -> None:
    with history.session() as session:
        connection = session.connection()
        connection.exec_driver_sql(
            "UPDATE posts SET text = 'Observers saw carousel voting.' WHERE text LIKE 'Observers%'"
        )
        connection.exec_driver_sql("DELETE FROM posts WHERE text LIKE 'Выборы%'")
    assert search(history, "stuffing") == []
    assert texts(search(history, "carousel")) == ["Observers saw carousel voting."]
    assert search(history, "выборы") == []
    with history.read_engine.connect() as connection:
        check = "INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)"
        connection.exec_driver_sql(check)


def test_query_helpers() -> None:
    assert query_words(' a "b" - * ') == ["a", '"b"']
    assert fts_query(['say "hi"', "x"]) == '"say ""hi""" "x"'


def test_without_fts_search_falls_back_to_like(history: Database) -> None:
    # What a non-SQLite database gets: every word as a case-insensitive substring (ILIKE on
    # PostgreSQL folds Cyrillic too; SQLite's LIKE, used here, folds ASCII only).
    plain = dataclasses.replace(history, has_fts=False)
    assert texts(search(plain, "Казахстане")) == ["Выборы в Казахстане прошли без конкуренции."]
    assert texts(search(plain, "ballot STUFFING")) == ["Observers saw ballot stuffing."]
    assert search(plain, "ballot competition") == []
    assert search(plain, "100%_") == []
    assert len(search(plain, "бюллетен", account="ank-masto")) == 1


def test_an_account_s_newest_posts_are_the_same_walked_by_time_or_sorted(
    history: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each account here has a third of the editions: its list walks the posts by time.
    for account in ("ank-x", "ank-bsky", "nobody"):
        walked = search(history, None, account=account, limit=1)
        monkeypatch.setattr("composer.store.searching._COMMON_SHARE", 2.0)  # never common
        sorted_ = search(history, None, account=account, limit=1)
        monkeypatch.undo()
        assert walked == sorted_
        assert [hit.account for hit in walked] == ([account] if account != "nobody" else [])
