"""ThreadsClient's image posts against the loopback FakeThreads, below the publisher: IMAGE and
CAROUSEL containers, waiting while Meta processes them (with a deadline), an image Threads
cannot fetch, and a recorded container published on resume, never made twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from composer.platforms.base import AttachedMedia, PostRequest, Refused, Unavailable
from composer.platforms.threads import ThreadsClient
from composer.workspace.config import ConfigError, parse_config
from tests.fakes.threads import USER_ID, VERSION, FakeThreads
from tests.platforms.test_threads import TOKEN, TOKEN_ENV, make_account

URLS = [f"https://cdn.example.org/ngo/{n}.jpg" for n in range(1, 4)]
ALTS = ["The queue at the station door", "The count sheet", "Observers at the table"]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeThreads]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = FakeThreads(token=TOKEN, user_id=USER_ID)
    with server.running():
        yield server


def request(images: int, key: str = "e1-p1") -> PostRequest:
    media = tuple(AttachedMedia(URLS[n], ALTS[n], 640, 480) for n in range(images))
    return PostRequest(f"Station 12, {images} images.", 1, key, media=media)


def post(
    fake: FakeThreads, req: PostRequest, client: ThreadsClient | None = None, **options: float
) -> str:
    async def main() -> str:
        mine = client or ThreadsClient(
            make_account(fake.url + VERSION), poll_interval=0.0, **options
        )
        try:
            return (await mine.create_post(req)).remote_id
        finally:
            if client is None:
                await mine.aclose()

    return asyncio.run(main())


def test_one_image_is_an_image_container_with_its_alt_text(fake: FakeThreads) -> None:
    fake.image_polls = 3  # IN_PROGRESS for three reads: waited on, then published
    post_id = post(fake, request(1))
    published = fake.posts[post_id]
    assert published["media_type"] == "IMAGE"
    assert published["images"] == [{"url": URLS[0], "alt_text": ALTS[0]}]
    assert fake.publish_calls == 1


def test_several_images_are_a_carousel_of_item_containers(fake: FakeThreads) -> None:
    post_id = post(fake, request(3))
    published = fake.posts[post_id]
    assert published["media_type"] == "CAROUSEL_ALBUM"
    assert [i["url"] for i in published["images"]] == URLS
    assert [i["alt_text"] for i in published["images"]] == ALTS
    items = [c for c in fake.containers.values() if c["item"]]
    assert len(items) == 3 and fake.publish_calls == 1  # only the carousel is published


@pytest.mark.parametrize("images", [1, 2])
def test_an_image_threads_cannot_fetch_is_refused_and_nothing_is_published(
    fake: FakeThreads, images: int
) -> None:
    fake.bad_urls.add(URLS[0])
    with pytest.raises(Refused) as refused:
        post(fake, request(images))
    assert "ERROR): UNKNOWN" in str(refused.value) and "URL" in str(refused.value)
    assert fake.posts == {} and fake.publish_calls == 0


def test_a_container_still_processing_at_the_deadline_is_kept_and_published_later(
    fake: FakeThreads,
) -> None:
    fake.image_polls = 10_000

    async def main() -> tuple[str, int]:
        client = ThreadsClient(make_account(fake.url + VERSION), poll_interval=0.0, media_wait=0.2)
        try:
            with pytest.raises(Unavailable):
                await client.create_post(request(1))
            [container] = client.containers.values()
            fake.set_status(container, "FINISHED")  # Meta is done
            made = len(fake.containers)
            published = await client.create_post(request(1))
            assert len(fake.containers) == made  # the recorded container, not a second one
            return published.remote_id, made
        finally:
            await client.aclose()

    post_id, _ = asyncio.run(main())
    assert fake.posts[post_id]["images"][0]["url"] == URLS[0]
    assert fake.publish_calls == 1


def test_a_recorded_carousel_container_is_published_on_resume_never_made_again(
    fake: FakeThreads,
) -> None:
    """The ledger gave the client the container of an earlier run (killed before publish)."""

    async def main() -> str:
        first = ThreadsClient(make_account(fake.url + VERSION), poll_interval=0.0)
        recorded: dict[str, str] = {}
        first.on_container = recorded.__setitem__
        first._publish = _die  # type: ignore[method-assign]  # killed before publishing
        try:
            with pytest.raises(_Killed):
                await first.create_post(request(2))
        finally:
            await first.aclose()
        second = ThreadsClient(make_account(fake.url + VERSION), poll_interval=0.0)
        second.containers.update(recorded)
        try:
            made = len(fake.containers)
            published = await second.create_post(request(2))
            assert len(fake.containers) == made
            return published.remote_id
        finally:
            await second.aclose()

    post_id = asyncio.run(main())
    assert fake.posts[post_id]["media_type"] == "CAROUSEL_ALBUM" and fake.publish_calls == 1


class _Killed(BaseException):
    pass


async def _die(*args: object) -> None:
    raise _Killed


ACCOUNT = '[accounts.a]\nplatform = "{platform}"\n{keys}\naccess_token_env = "T"\n{extra}\n'


@pytest.mark.parametrize(
    ("platform", "extra", "words"),
    [
        ("mastodon", 'media_upload_cmd = "up.sh"', "'media_upload_cmd' is a key of threads"),
        ("threads", 'media_upload_cmd = "up \'sh"', "cannot parse the command"),
        ("threads", 'media_upload_cmd = ""', "must be a non-empty string"),
        ("threads", 'media_upload_cmd = "a\\u001bb"', "must be a command line of printable"),
        ("threads", "media_upload_cmd = 3", "must be a non-empty string"),
    ],
)
def test_media_upload_cmd_is_a_command_on_threads_accounts_only(
    platform: str, extra: str, words: str
) -> None:
    keys = 'instance = "https://m.example"' if platform == "mastodon" else 'user_id = "1"'
    with pytest.raises(ConfigError) as error:
        parse_config(ACCOUNT.format(platform=platform, keys=keys, extra=extra), name="a.toml")
    [line] = str(error.value).splitlines()
    assert line.startswith("a.toml:5: accounts.a: ") and words in line
    assert "\x1b" not in line


def test_media_upload_cmd_is_kept_as_written() -> None:
    text = ACCOUNT.format(
        platform="threads", keys='user_id = "1"', extra='media_upload_cmd = "rclone-up --public"'
    )
    account = parse_config(text, name="a.toml").account("a")
    assert account.media_upload_cmd == "rclone-up --public"
