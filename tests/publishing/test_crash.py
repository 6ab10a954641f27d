"""A publisher killed (SIGKILL) anywhere in a 10-post thread, then run again: never twice,
never half (docs/DESIGN.md, "Publishing: never twice, never half").

Each case runs `python -m composer publish` as a subprocess against one platform, kills it,
runs it again (normally) until it exits 0, and then checks the platform's own state: exactly
the 10 posts, each once, in order, each replying to the previous one; and the ledger: one
edition, 10 `sent` posts whose remote ids are the platform's.

Kill points, for every platform:
- `kill_after_post_K`: the platform has stored post K but the publisher has not heard back,
  the window where a blind resend would make a duplicate. The fakes call a hook right after
  storing a post (tests/fakes/server.py `on_store`), which kills the publisher and hangs up.
  Bluesky is a real PDS: its requests go through a loopback proxy that does the same once the
  PDS has answered the K-th `createRecord`.
- `random_seed_N`: a random moment. For the fakes, a timer set off by a randomly chosen
  request kills the publisher up to 30 ms later: mid-request, between an answer and its
  ledger commit, during a commit... For Bluesky, straight against the PDS (no proxy), a kill
  0-350 ms after the ledger shows the first post being sent (whatever window that hits).

Each resumed run that finds a post `sending` waits composer.publishing.UNCLEAR_SETTLE (2 s)
before asking the platform: most of this file's time.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from composer.publishing import plan_editions
from composer.store import Edition, PostRecord, PostStatus, edition_posts, open_database
from composer.workspace.config import load_config
from composer.workspace.drafts import load_draft
from tests.fakes.linkedin import AUTHOR as LINKEDIN_AUTHOR
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import FakePlatform, Hangup, Request, Response
from tests.fakes.threads import FakeThreads
from tests.fakes.x import FakeX
from tests.pds import PdsAccount

ROOT = Path(__file__).resolve().parent.parent.parent
POSTS = 10
ACCOUNT = "crash"
MAX_RUNS_AFTER_KILL = 3
RUN_TIMEOUT = 90.0
SECRETS = {
    "X_CONSUMER_KEY": "ck-crash",
    "X_CONSUMER_SECRET": "cs-crash-secret",
    "X_ACCESS_TOKEN": "at-crash",
    "X_ACCESS_TOKEN_SECRET": "ats-crash-secret",
    "CRASH_MASTODON_TOKEN": "masto-crash-token",
    "CRASH_THREADS_TOKEN": "threads-crash-token",
    "CRASH_LINKEDIN_TOKEN": "linkedin-crash-token",
}
THREADS_USER = "17841400000000077"

# Ten paragraphs of about 250 characters: each fits one post everywhere (X 280 with "i/n ",
# Bluesky 300), and a `---` line between them keeps Mastodon and Threads (500) from
# putting two in one post.
TOPICS = [
    "the registration of candidates",
    "access for independent observers",
    "the counting of ballots at polling stations",
    "complaints filed with election commissions",
    "coverage of the campaign by state media",
    "the detention of peaceful protesters",
    "restrictions on freedom of assembly",
    "pressure on journalists and bloggers",
    "the tabulation of results at district level",
    "recommendations to the authorities",
]
FILLER = "Each finding below names the place, the date and the source it rests on".split()


def paragraph(n: int, topic: str) -> str:
    """About 250 characters on `topic`, ending with a full stop."""
    text = (
        f"Part {n}. Our monitors looked at {topic} in every region they visited. They "
        "recorded what they saw, asked officials for documents and compared the answers "
        "with the law."
    )
    for word in FILLER:
        if len(text) >= 245:
            break
        text += " " + word
    return text.rstrip(",.") + "."


PARAGRAPHS = [paragraph(n, topic) for n, topic in enumerate(TOPICS, start=1)]
DRAFT = (
    '+++\ntitle = "Crash test report"\nhook = false\nlanguage = "en"\n+++\n\n'
    + "\n\n---\n\n".join(PARAGRAPHS)
    + "\n"
)

KILL_AFTER = (1, 4, 7, 10)
SEEDS = (1, 2)
PLATFORMS = ("x", "mastodon", "threads", "bluesky", "linkedin")
# Requests a clean 10-post run surely makes (verify + posts), to pick a random one from.
FEWEST_REQUESTS = {"x": 11, "mastodon": 12, "threads": 40, "bluesky": 12, "linkedin": 11}
BLUESKY_KILL_DELAYS = (0.0, 0.35)  # seconds after the first post is marked sending


# --- the platforms, each with the same small surface -----------------------------------------


@dataclass(frozen=True)
class Posted:
    """A post as the platform has it."""

    id: str
    text: str
    parent: str | None
    root: str | None = None  # Bluesky only: the thread's root, as the record says
    cid: str | None = None  # Bluesky only


@dataclass
class Target:
    platform: str
    config: str  # the [accounts.crash] table
    hooks: FakePlatform  # where kill hooks go (a fake, or the proxy in front of the PDS)
    posted: Callable[[], list[Posted]]
    env: dict[str, str] = field(default_factory=dict)


def x_target(stack: ExitStack) -> Target:
    fake = FakeX(
        consumer_key=SECRETS["X_CONSUMER_KEY"],
        consumer_secret=SECRETS["X_CONSUMER_SECRET"],
        access_token=SECRETS["X_ACCESS_TOKEN"],
        access_token_secret=SECRETS["X_ACCESS_TOKEN_SECRET"],
    )
    stack.enter_context(fake.running())
    config = f"""
platform = "x"
handle = "@ankreports"
base_url = "{fake.url}"
consumer_key_env = "X_CONSUMER_KEY"
consumer_secret_env = "X_CONSUMER_SECRET"
access_token_env = "X_ACCESS_TOKEN"
access_token_secret_env = "X_ACCESS_TOKEN_SECRET"
"""

    def posted() -> list[Posted]:
        with fake.lock:
            return [Posted(t["id"], t["text"], t["in_reply_to"]) for t in fake.tweets.values()]

    return Target("x", config, fake, posted)


def mastodon_target(stack: ExitStack) -> Target:
    fake = FakeMastodon(token=SECRETS["CRASH_MASTODON_TOKEN"])
    stack.enter_context(fake.running())
    config = f"""
platform = "mastodon"
instance = "{fake.url}"
access_token_env = "CRASH_MASTODON_TOKEN"
"""

    def posted() -> list[Posted]:
        with fake.lock:
            return [Posted(s["id"], s["text"], s["in_reply_to_id"]) for s in fake.thread()]

    return Target("mastodon", config, fake, posted)


def threads_target(stack: ExitStack) -> Target:
    fake = FakeThreads(token=SECRETS["CRASH_THREADS_TOKEN"], user_id=THREADS_USER)
    stack.enter_context(fake.running())
    config = f"""
platform = "threads"
user_id = "{THREADS_USER}"
base_url = "{fake.url}/v1.0"
access_token_env = "CRASH_THREADS_TOKEN"
"""

    def posted() -> list[Posted]:
        with fake.lock:
            return [Posted(p["id"], p["text"], p["reply_to_id"]) for p in fake.thread()]

    return Target("threads", config, fake, posted)


def linkedin_target(stack: ExitStack) -> Target:
    fake = FakeLinkedIn(token=SECRETS["CRASH_LINKEDIN_TOKEN"])
    stack.enter_context(fake.running())
    config = f"""
platform = "linkedin"
base_url = "{fake.url}"
author = "{LINKEDIN_AUTHOR}"
access_token_env = "CRASH_LINKEDIN_TOKEN"
overflow = "comments"
"""

    def posted() -> list[Posted]:
        """The post, then its comments in the order LinkedIn shows them (each "replying" to
        the one before it, so that the chain is that order), as members see their text."""
        found: list[Posted] = []
        with fake.lock:
            for urn, post in fake.posts.items():
                found.append(Posted(urn, post["shown"], None))
                for comment in fake.comments[urn]:
                    found.append(Posted(comment["$URN"], comment["shown"], found[-1].id))
        return found

    return Target("linkedin", config, fake, posted)


class PdsProxy(FakePlatform):
    """Forwards every request to the PDS; `on_store` runs when a createRecord succeeded,
    `on_delete` when a deleteRecord of a post did."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream.rstrip("/")
        self.http = httpx.Client(timeout=30)
        self.route("GET", "/", self.forward)
        self.route("POST", "/", self.forward)

    def forward(self, request: Request) -> Response:
        headers = {
            k: v for k, v in request.headers.items() if k in ("authorization", "content-type")
        }
        answer = self.http.request(
            request.method,
            self.upstream + request.path,
            params=request.query,
            headers=headers,
            content=request.body,
        )
        kept = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() == "content-type" or k.lower().startswith("ratelimit")
        }
        if request.path == "/xrpc/com.atproto.repo.createRecord" and answer.is_success:
            self.notify_stored(answer.json())
        deleted = request.path == "/xrpc/com.atproto.repo.deleteRecord" and answer.is_success
        record = request.json() if deleted else {}
        if record.get("collection") == "app.bsky.feed.post":
            self.notify_deleted(f"at://{record['repo']}/{record['collection']}/{record['rkey']}")
        return Response(answer.status_code, answer.content, kept)


def bluesky_target(stack: ExitStack, pds_url: str, user: PdsAccount, *, proxied: bool) -> Target:
    proxy = PdsProxy(pds_url)
    stack.callback(proxy.http.close)
    stack.enter_context(proxy.running())
    config = f"""
platform = "bluesky"
service = "{proxy.url if proxied else pds_url}"
handle = "{user.handle}"
app_password_env = "CRASH_BSKY_APP_PASSWORD"
"""

    def posted() -> list[Posted]:
        response = httpx.get(
            f"{pds_url}/xrpc/com.atproto.repo.listRecords",
            params={"repo": user.did, "collection": "app.bsky.feed.post", "limit": "100"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        found = []
        for record in response.json()["records"]:
            reply = record["value"].get("reply")
            parent = reply["parent"]["uri"] if reply else None
            root = reply["root"]["uri"] if reply else None
            found.append(
                Posted(record["uri"], record["value"]["text"], parent, root, record["cid"])
            )
        return found

    env = {"CRASH_BSKY_APP_PASSWORD": user.password}
    return Target("bluesky", config, proxy, posted, env)


# --- cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    platform: str
    kill_after: int | None = None  # kill once the platform has stored this post
    seed: int | None = None  # or at a random moment

    @property
    def id(self) -> str:
        if self.kill_after is not None:
            return f"{self.platform}-kill_after_post_{self.kill_after}"
        return f"{self.platform}-random_seed_{self.seed}"

    @property
    def hooked(self) -> bool:
        """Killed by a hook on the platform's side (else at a random time from the start)."""
        return self.platform != "bluesky" or self.kill_after is not None


CASES = [
    *(Case(p, kill_after=k) for p in PLATFORMS for k in KILL_AFTER),
    *(Case(p, seed=s) for p in PLATFORMS for s in SEEDS),
]


# --- running the publisher ------------------------------------------------------------------


@pytest.fixture(scope="session")
def publisher_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every publisher run: byte code cached in a temporary folder.

    The suite runs with PYTHONDONTWRITEBYTECODE=1, which makes each start-up compile
    composer and its dependencies again (about 3 s here, under a second with the cache).
    """
    env = {**os.environ, **SECRETS, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("COMPOSER_CONFIG", None)
    env.pop("COMPOSER_DATA_DIR", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))
    warm = (
        "import composer.cli, composer.publishing, composer.store, composer.platforms.x, "
        "composer.platforms.mastodon, composer.platforms.threads, composer.platforms.bluesky, "
        "composer.platforms.linkedin"
    )
    subprocess.run([sys.executable, "-c", warm], env=env, cwd=ROOT, check=True, timeout=120)
    return env


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL


class Publisher:
    """`python -m composer publish` in a workspace; `process` is the one running now."""

    def __init__(self, workspace: Path, env: dict[str, str]) -> None:
        self.workspace = workspace
        self.env = env
        self.process: subprocess.Popen[str] | None = None

    def run(
        self,
        on_start: Callable[[subprocess.Popen[str]], None] | None = None,
        *,
        draft: str = "report",
        command: Sequence[str] | None = None,
    ) -> Run:
        """`publish DRAFT --account crash`, or another `command` (its arguments)."""
        started = time.monotonic()
        args = command if command is not None else ("publish", draft, "--account", ACCOUNT)
        process = subprocess.Popen(
            [sys.executable, "-m", "composer", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=self.workspace,
            env=self.env,
        )
        self.process = process
        try:
            if on_start is not None:
                on_start(process)
            stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            self.process = None
        return Run(process.returncode, stdout, stderr, time.monotonic() - started)

    def kill_now(self) -> None:
        """SIGKILL the running publisher and wait until it is gone (from a server thread)."""
        process = self.process
        if process is not None:
            process.kill()
            process.wait()


def arm_kill_after_post(target: Target, publisher: Publisher, k: int) -> None:
    stored = 0

    def on_store(post: dict[str, Any]) -> None:
        nonlocal stored
        stored += 1
        if stored == k:
            target.hooks.on_store = None  # once: the runs after the kill go undisturbed
            publisher.kill_now()
            raise Hangup  # the answer is never sent: the publisher is dead

    target.hooks.on_store = on_store


def arm_random_kill(target: Target, publisher: Publisher, seed: int) -> None:
    rng = random.Random(f"{target.platform}-{seed}")
    nth = rng.randint(1, FEWEST_REQUESTS[target.platform] - 1)
    delay = rng.uniform(0.0, 0.03)
    seen = 0

    def on_request(request: Request) -> None:
        nonlocal seen
        seen += 1
        if seen == nth:
            target.hooks.on_request = None
            threading.Timer(delay, publisher.kill_now).start()

    target.hooks.on_request = on_request


def publishing_started(database: Path) -> bool:
    """Whether the ledger has a post past `pending` (read beside the publisher: WAL)."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as db:
            row = db.execute("SELECT count(*) FROM posts WHERE status != 'pending'").fetchone()
    except sqlite3.Error:  # not created, or not migrated, yet
        return False
    return bool(row[0])


def kill_at_random_time(seed: int, database: Path) -> Callable[[subprocess.Popen[str]], None]:
    """Kill at a random time after the publisher starts sending (not while it starts up)."""
    delay = random.Random(f"bluesky-{seed}").uniform(*BLUESKY_KILL_DELAYS)

    def on_start(process: subprocess.Popen[str]) -> None:
        while process.poll() is None and not publishing_started(database):
            time.sleep(0.005)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.kill()

    return on_start


# --- the test --------------------------------------------------------------------------------


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    case: Case = request.param
    with ExitStack() as stack:
        if case.platform == "x":
            yield x_target(stack)
        elif case.platform == "mastodon":
            yield mastodon_target(stack)
        elif case.platform == "threads":
            yield threads_target(stack)
        elif case.platform == "linkedin":
            yield linkedin_target(stack)
        else:
            pds_url: str = request.getfixturevalue("pds")
            new_account: Callable[[], PdsAccount] = request.getfixturevalue("make_account")
            yield bluesky_target(stack, pds_url, new_account(), proxied=case.hooked)


def write_workspace(folder: Path, target: Target) -> Path:
    (folder / "drafts").mkdir()
    (folder / "drafts" / "report.md").write_text(DRAFT, encoding="utf-8")
    # No [hashtags] and no [defaults]: nothing is added to the posts.
    (folder / "accounts.toml").write_text(f"[accounts.{ACCOUNT}]{target.config}", "utf-8")
    return folder


def expected_texts(workspace: Path) -> list[str]:
    """The posts exactly as `publish` composes them (and checks: one paragraph each)."""
    path = workspace / "drafts" / "report.md"
    config = load_config(workspace / "accounts.toml")
    (plan,) = plan_editions(load_draft(str(path)), path, config, [ACCOUNT])
    texts = [post.text for post in plan.thread.posts]
    assert len(texts) == POSTS
    assert all(paragraph in text for paragraph, text in zip(PARAGRAPHS, texts, strict=True))
    return texts


def in_thread_order(posts: list[Posted]) -> list[Posted]:
    """The posts from the root down, following the replies; fails on any fork or stray."""
    roots = [p for p in posts if p.parent is None]
    assert len(roots) == 1, f"{len(roots)} posts reply to nothing: {[p.text[:12] for p in roots]}"
    children: dict[str, list[Posted]] = {}
    for post in posts:
        if post.parent is not None:
            children.setdefault(post.parent, []).append(post)
    ordered = roots
    while replies := children.get(ordered[-1].id):
        assert len(replies) == 1, f"{len(replies)} replies to {ordered[-1].text[:12]!r}"
        ordered.append(replies[0])
    assert len(ordered) == len(posts), "posts outside the chain"
    return ordered


def ledger(workspace: Path) -> list[PostRecord]:
    with open_database(str(workspace / "history.sqlite3")) as db:
        with db.read_session() as session:
            editions = list(session.exec(select(Edition)))
        assert len(editions) == 1, f"{len(editions)} editions"
        assert editions[0].id is not None
        return edition_posts(db, editions[0].id)


@pytest.mark.parametrize("target", CASES, ids=[c.id for c in CASES], indirect=True)
def test_a_killed_publisher_resumes_without_duplicates_or_gaps(
    target: Target, tmp_path: Path, publisher_env: dict[str, str], request: pytest.FixtureRequest
) -> None:
    case: Case = request.node.callspec.params["target"]
    workspace = write_workspace(tmp_path, target)
    texts = expected_texts(workspace)
    env = {
        **publisher_env,
        **target.env,
        "COMPOSER_DB": str(workspace / "history.sqlite3"),
        "COMPOSER_DATA_DIR": str(workspace / "data"),  # sessions (Bluesky), per case
    }
    publisher = Publisher(workspace, env)

    on_start = None
    if case.kill_after is not None:
        arm_kill_after_post(target, publisher, case.kill_after)
    elif case.hooked:
        assert case.seed is not None
        arm_random_kill(target, publisher, case.seed)
    else:
        assert case.seed is not None
        on_start = kill_at_random_time(case.seed, workspace / "history.sqlite3")

    first = publisher.run(on_start)
    if case.hooked:  # the hooks fire inside the run: it must have been killed
        assert first.killed, f"not killed: exit {first.returncode}\n{first.stderr}"
    if case.kill_after is not None:
        assert len(target.posted()) == case.kill_after
    runs = [first]
    # A kill that lands after the last post's commit (while the process exits) leaves the
    # edition published: the rerun then rightly refuses to publish it again.
    while runs[-1].returncode != 0 and not (
        len(runs) > 1 and runs[-1].returncode == 2 and "already has this thread" in runs[-1].stderr
    ):
        assert len(runs) <= MAX_RUNS_AFTER_KILL, "\n---\n".join(
            f"exit {r.returncode} after {r.seconds:.1f} s\n{r.stderr}" for r in runs
        )
        runs.append(publisher.run())

    posts = target.posted()
    counts = Counter(p.text for p in posts)
    duplicates = {text[:24]: n for text, n in counts.items() if n > 1}
    assert not duplicates, f"posted more than once: {duplicates}"
    missing = [i for i, text in enumerate(texts, start=1) if text not in counts]
    assert not missing, f"posts missing: {missing}"
    ordered = in_thread_order(posts)
    assert [p.text for p in ordered] == texts
    if target.platform == "bluesky":
        assert all(p.root == ordered[0].id for p in ordered[1:])

    rows = ledger(workspace)
    assert [row.status for row in rows] == [PostStatus.SENT] * POSTS
    assert [row.text for row in rows] == texts
    assert [row.remote_id for row in rows] == [p.id for p in ordered]
    if target.platform == "bluesky":
        assert [row.remote_cid for row in rows] == [p.cid for p in ordered]


def test_a_stored_session_is_not_used_for_another_bluesky_account(
    tmp_path: Path, publisher_env: dict[str, str], request: pytest.FixtureRequest
) -> None:
    """Found while writing the crash tests (they share one account name across cases): a
    session is kept per account name AND identity, so a changed handle gets its own."""
    pds_url: str = request.getfixturevalue("pds")
    new_account: Callable[[], PdsAccount] = request.getfixturevalue("make_account")
    old, new = new_account(), new_account()
    (tmp_path / "drafts").mkdir()
    for name in ("old", "new"):
        text = f'+++\ntitle = "{name}"\n+++\n\nA short post for the {name} account.\n'
        (tmp_path / "drafts" / f"{name}.md").write_text(text, encoding="utf-8")
    env = {
        **publisher_env,
        "COMPOSER_DB": str(tmp_path / "history.sqlite3"),
        "COMPOSER_DATA_DIR": str(tmp_path / "data"),
    }
    for user, draft in ((old, "old"), (new, "new")):
        # The same account name, now with another handle (and its own app password).
        config = f"""[accounts.{ACCOUNT}]
platform = "bluesky"
service = "{pds_url}"
handle = "{user.handle}"
app_password_env = "CRASH_BSKY_APP_PASSWORD"
"""
        (tmp_path / "accounts.toml").write_text(config, encoding="utf-8")
        publisher = Publisher(tmp_path, {**env, "CRASH_BSKY_APP_PASSWORD": user.password})
        result = publisher.run(draft=draft)
        assert result.returncode == 0, result.stderr

    def texts(user: PdsAccount) -> list[str]:
        response = httpx.get(
            f"{pds_url}/xrpc/com.atproto.repo.listRecords",
            params={"repo": user.did, "collection": "app.bsky.feed.post"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return [record["value"]["text"] for record in response.json()["records"]]

    assert texts(old) == ["A short post for the old account."]
    assert texts(new) == ["A short post for the new account."]
