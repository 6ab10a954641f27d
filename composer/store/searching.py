"""The history search: every sent post (retracted ones too, marked so), newest first or best
match first, with or without words to find.

The SQL is written once, as text, and runs either through sqlite3 on a `QuickHistory` (the
`history` command, which must start without SQLAlchemy) or through the engine of a
`Database` (the TUI, PostgreSQL, a database to migrate first). Nothing here imports
SQLAlchemy unless a Database is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from composer.store.quick import QuickHistory
from composer.store.reading import in_list, rows, utc
from composer.store.statuses import WENT_OUT, EditionStatus, PostStatus

if TYPE_CHECKING:
    from composer.store.database import Database


@dataclass(frozen=True)
class HistoryHit:
    """One published post, as the history command and screen show it."""

    thread_title: str
    account: str
    platform: str
    index: int
    text: str
    url: str | None
    sent_at: datetime | None
    edition_status: EditionStatus
    edition_id: int
    post_id: int
    status: PostStatus = PostStatus.SENT  # or RETRACTED: taken back since
    retracted_at: datetime | None = None

    @property
    def retracted(self) -> bool:
        return self.status is PostStatus.RETRACTED


def search(
    source: Database | QuickHistory,
    query: str | None,
    *,
    account: str | None = None,
    limit: int = 50,
    rank: bool = False,
) -> list[HistoryHit]:
    """Sent posts (retracted ones too, marked so) whose text holds every word of `query`,
    newest first (the index walked from its newest post, stopping at `limit`: a common word
    costs no more than a rare one), or with `rank` best match first (bm25 sees every match).

    Without a query (or a blank one), the most recent sent posts. Any user text is safe:
    each word is quoted, so FTS syntax in it (quotes, `*`, NEAR, `-`) is just text.
    """
    words = query_words(query) if query and query.strip() else None
    if words == []:
        return []  # only punctuation: nothing can match
    params: dict[str, object] = {"limit": limit}
    if account is not None:
        params["account"] = account
    if words is None:
        sql = _newest_sent(account, by_time=account is None or _common(source, account))
    elif source.has_fts:
        params["match"] = fts_query(words)
        sql = _by_fts(account, rank=rank)
    else:
        sql = _newest_sent(account, like=[f"w{i}" for i in range(len(words))])
        params.update({f"w{i}": "%" + _escape_like(word) + "%" for i, word in enumerate(words)})
    return [_hit(row) for row in rows(source, sql, params)]


def query_words(query: str) -> list[str]:
    """The words of a user query; a word without letters or digits cannot match and is dropped."""
    return [word for word in query.split() if any(char.isalnum() for char in word)]


def fts_query(words: Iterable[str]) -> str:
    """An FTS5 query AND-ing `words`, each as a quoted phrase so nothing in it is syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


_WENT_OUT = in_list(WENT_OUT)
_HITS = (
    "SELECT threads.title AS thread_title, editions.account, editions.platform, "
    'posts.position AS "index", posts.text, posts.remote_url AS url, posts.sent_at, '
    "editions.status AS edition_status, "
    "editions.id AS edition_id, posts.id AS post_id, posts.status, posts.retracted_at "
    "FROM posts JOIN editions ON editions.id = posts.edition_id "
    "JOIN threads ON threads.id = editions.thread_id"
)
_OF_ACCOUNT = " JOIN editions ON editions.id = posts.edition_id AND editions.account = :account"


def _newest_sent(account: str | None, *, like: Iterable[str] = (), by_time: bool = False) -> str:
    # Each word as a LIKE pattern (a database without FTS5: PostgreSQL), lowered on both
    # sides as the database lowers. `by_time`: walk the posts from the newest (the sent_at
    # index), keeping the account's, instead of sorting all the account's posts; CROSS JOIN
    # is how SQLite is told to (PostgreSQL plans it as it would the JOIN).
    where = [f"posts.status IN {_WENT_OUT}"]
    where += [f"lower(posts.text) LIKE lower(:{name}) ESCAPE '/'" for name in like]
    if account is not None:
        where.append("editions.account = :account")
    order = "ORDER BY posts.sent_at DESC, posts.id DESC LIMIT :limit"
    hits = _HITS.replace("FROM posts JOIN", "FROM posts CROSS JOIN") if by_time else _HITS
    return f"{hits} WHERE {' AND '.join(where)} {order}"


# An account with at least this share of all editions: its newest posts are found sooner by
# walking all posts from the newest than by sorting all of its own (on 300,000 posts, an
# account with a sixth of them: 4 ms against 240 ms; one with none: 217 ms against 0.1 ms).
_COMMON_SHARE = 0.02


def _common(source: Database | QuickHistory, account: str) -> bool:
    counts = rows(
        source,
        "SELECT (SELECT count(*) FROM editions WHERE account = :account) AS mine, "
        "(SELECT count(*) FROM editions) AS every",
        {"account": account},
    )[0]
    return bool(counts["every"]) and counts["mine"] >= _COMMON_SHARE * counts["every"]


def _by_fts(account: str | None, *, rank: bool) -> str:
    # The matches are chosen in a subquery that touches only the index and posts (plus
    # editions to filter by account), then titles are fetched for the few rows kept. Newest
    # first, FTS5 walks its rowids (the posts' ids, in the order they were written)
    # backwards and stops after `limit` sent posts: no sort of every match. Ranked, bm25 has
    # to see every match.
    if rank:
        chosen = "posts_fts.rowid AS post_id, bm25(posts_fts) AS score, posts.sent_at AS sent_at"
        order, outer = "score, posts.sent_at DESC, posts.id DESC", "top.score, top.sent_at DESC"
    else:
        chosen, order, outer = "posts_fts.rowid AS post_id", "posts_fts.rowid DESC", ""
    top = (
        f"SELECT {chosen} FROM posts_fts JOIN posts ON posts.id = posts_fts.rowid"
        + (_OF_ACCOUNT if account is not None else "")
        + f" WHERE posts_fts MATCH :match AND posts.status IN {_WENT_OUT}"
        f" ORDER BY {order} LIMIT :limit"
    )
    order_kept = f"{outer}, top.post_id DESC" if outer else "top.post_id DESC"
    return f"{_HITS} JOIN ({top}) AS top ON top.post_id = posts.id ORDER BY {order_kept}"


def _escape_like(word: str) -> str:
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _hit(row: Mapping[str, Any]) -> HistoryHit:
    return HistoryHit(
        thread_title=row["thread_title"],
        account=row["account"],
        platform=row["platform"],
        index=row["index"],
        text=row["text"],
        url=row["url"],
        sent_at=utc(row["sent_at"]),
        edition_status=EditionStatus(row["edition_status"]),
        edition_id=row["edition_id"],
        post_id=row["post_id"],
        status=PostStatus(row["status"]),
        retracted_at=utc(row["retracted_at"]),
    )
