"""A Mastodon instance's own media figures (images a post, alt text length, one image's
bytes and pixels): read when the account is verified or published to, remembered in the
data folder, and used by the preview and the checks before publishing for that account
(Mastodon's defaults, FACTS, while the instance has not been asked)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from composer import locations
from composer.instances import InstanceFigures, remember, remembered
from composer.publishing import PreflightError, PublishError, fit_to_instances, plan_editions
from composer.publishing.connect import client_for
from composer.tui.preview_work import platform_preview
from composer.workspace.config import Config, load_config
from composer.workspace.drafts import load_draft
from tests.fakes.mastodon import FakeMastodon
from tests.helpers import mastodon_account, write_accounts

TOKEN = "masto-figures-token"
INSTANCE = "https://figures.example"  # never asked: the figures are remembered by the test
FIRST_IMAGE_LINE = 6  # the draft's front matter takes lines 1-4, the text line 5


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    (tmp_path / "drafts" / "photos").mkdir(parents=True)
    for n in range(1, 7):
        Image.new("RGB", (32, 24), (n * 40, 0, 0)).save(tmp_path / "drafts" / "photos" / f"{n}.jpg")
    return tmp_path


def draft_with(folder: Path, images: int, alt: str = "A protester outside the akimat") -> Path:
    lines = "\n".join(f"![{alt} {n}](photos/{n}.jpg)" for n in range(1, images + 1))
    path = folder / "drafts" / "report.md"
    front = '+++\ntitle = "Akimat"\naccounts = ["m"]\n+++\n'
    path.write_text(f"{front}Twelve people were detained on Monday.\n{lines}\n", encoding="utf-8")
    return path


def config_for(folder: Path, instance: str = INSTANCE) -> Config:
    return load_config(write_accounts(folder, {"m": mastodon_account(instance, "FIG_TOKEN")}))


def planned(path: Path, config: Config) -> list[int]:
    [plan] = plan_editions(load_draft(str(path)), path, config, ["m"])
    return [len(files) for files in plan.media]


def test_an_instance_allowing_6_images_accepts_6(photos: Path) -> None:
    remember(INSTANCE, InstanceFigures(max_media_attachments=6))
    path = draft_with(photos, 6)
    assert planned(path, config_for(photos)) == [6]
    preview = platform_preview(load_draft(str(path)), "mastodon", config_for(photos))
    assert preview.error is None
    assert [len(files) for files in preview.media] == [6]


def test_an_instance_allowing_2_refuses_the_third(photos: Path) -> None:
    remember(INSTANCE, InstanceFigures(max_media_attachments=2))
    path = draft_with(photos, 3)
    with pytest.raises(PublishError) as refused:
        planned(path, config_for(photos))
    third = FIRST_IMAGE_LINE + 2
    assert f"report.md:{third}: 3 images in a row" in str(refused.value)
    assert "a mastodon post takes 2" in str(refused.value)
    preview = platform_preview(load_draft(str(path)), "mastodon", config_for(photos))
    assert preview.error is not None and "a mastodon post takes 2" in preview.error


def test_an_instance_not_asked_yet_has_mastodons_default_and_says_so(photos: Path) -> None:
    path = draft_with(photos, 6)
    with pytest.raises(PublishError) as refused:
        planned(path, config_for(photos))
    assert "a mastodon post takes 4" in str(refused.value)  # FACTS
    assert "until m's own instance is reached: `publish --dry-run`" in str(refused.value)
    assert planned(draft_with(photos, 4), config_for(photos)) == [4]


def test_the_instances_alt_text_limit_is_used(photos: Path) -> None:
    long_alt = "A protester holds a placard outside the akimat " * 2  # 94 characters
    path = draft_with(photos, 1, alt=long_alt)
    assert planned(path, config_for(photos)) == [1]  # Mastodon's 1500
    remember(INSTANCE, InstanceFigures(description_limit=80))
    with pytest.raises(PublishError) as refused:
        planned(path, config_for(photos))
    assert f"report.md:{FIRST_IMAGE_LINE}: " in str(refused.value)
    assert "80" in str(refused.value)
    preview = platform_preview(load_draft(str(path)), "mastodon", config_for(photos))
    assert any("80" in warning for warning in preview.thread.warnings)  # type: ignore[union-attr]


@pytest.fixture
def instance() -> Iterator[FakeMastodon]:
    fake = FakeMastodon(token=TOKEN)
    fake.max_media_attachments = 6
    fake.description_limit = 900
    fake.image_size_limit = 8_000_000
    fake.image_matrix_limit = 20_000_000
    with fake.running():
        yield fake


def test_verifying_remembers_the_figures_and_the_preview_never_asks(
    photos: Path, instance: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIG_TOKEN", TOKEN)
    config = config_for(photos, instance.url)
    draft = load_draft(str(draft_with(photos, 6)))
    assert platform_preview(draft, "mastodon", config).error is not None  # 4, not asked
    assert instance.requests == []  # a preview (a keystroke) never asks the instance

    async def verify() -> None:
        client = client_for(config.account("m"))
        try:
            await client.verify()
        finally:
            await client.aclose()

    asyncio.run(verify())
    assert instance.requests  # it was asked, this time
    assert remembered(instance.url) == InstanceFigures(6, 900, 8_000_000, 20_000_000)
    assert remembered(instance.url + "/") == remembered(instance.url)
    assert platform_preview(draft, "mastodon", config).error is None  # 6, remembered
    figures = locations.instance_figures_file()
    assert oct(figures.stat().st_mode & 0o777) == oct(0o600)
    assert TOKEN not in figures.read_text(encoding="utf-8")
    assert [p.name for p in figures.parent.iterdir() if p.name.startswith(".instances-")] == []


def test_publishing_checks_with_what_the_instance_says_now(
    photos: Path, instance: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Remembered 4 (or nothing), the instance now says 2: the third image is refused
    before anything is sent."""
    monkeypatch.setenv("FIG_TOKEN", TOKEN)
    instance.max_media_attachments = 2
    path = draft_with(photos, 3)
    config = config_for(photos, instance.url)
    plans = plan_editions(load_draft(str(path)), path, config, ["m"])
    with pytest.raises(PreflightError) as refused:
        asyncio.run(fit_to_instances(plans))
    assert "2 images a post" in str(refused.value)
    assert f"report.md:{FIRST_IMAGE_LINE + 2}: 3 images in a row" in str(refused.value)
    assert instance.statuses == {} and instance.media == {}
    assert remembered(instance.url) == InstanceFigures(2, 900, 8_000_000, 20_000_000)


def test_a_damaged_or_odd_file_is_as_good_as_none(photos: Path) -> None:
    figures = locations.instance_figures_file()
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_text("{not json", encoding="utf-8")
    assert remembered(INSTANCE) is None
    assert planned(draft_with(photos, 4), config_for(photos)) == [4]
    odd = {"max_media_attachments": -3, "description_limit": True, "image_size_limit": "9"}
    figures.write_text(json.dumps({INSTANCE: odd, "other": 5}), encoding="utf-8")
    assert remembered(INSTANCE) == InstanceFigures()
    assert planned(draft_with(photos, 4), config_for(photos)) == [4]
    remember(INSTANCE, InstanceFigures(max_media_attachments=6))  # rewrites it whole
    assert remembered(INSTANCE) == InstanceFigures(max_media_attachments=6)


def test_an_unwritable_data_folder_does_not_stop_verifying(
    photos: Path, instance: FakeMastodon, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "a-file"  # not a folder: nothing can be written in it, even by root
    data.write_text("", encoding="utf-8")
    monkeypatch.setenv("COMPOSER_DATA_DIR", str(data))
    monkeypatch.setenv("FIG_TOKEN", TOKEN)
    config = config_for(photos, instance.url)

    async def verify() -> str:
        client = client_for(config.account("m"))
        try:
            return (await client.verify()).handle
        finally:
            await client.aclose()

    assert asyncio.run(verify())
    assert remembered(instance.url) is None


def test_only_unknown_instances_of_a_draft_with_images_are_asked_first(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ask_new_instances` (before `publish` plans): a Mastodon instance not remembered, for
    a draft with images, with the user's accounts; never the example file's accounts."""
    from composer.publishing import ask_new_instances

    asked: list[str] = []

    async def ask(account: Any) -> None:
        asked.append(account.name)

    monkeypatch.setattr("composer.publishing.plans._ask_instance", ask)
    with_images = load_draft(str(draft_with(photos, 1)))
    config = config_for(photos)
    asyncio.run(ask_new_instances(with_images, config, ["m"]))
    assert asked == ["m"]
    text_only = load_draft(str(draft_with(photos, 0)))
    asyncio.run(ask_new_instances(text_only, config, ["m"]))
    assert asked == ["m"]  # no image: the defaults cannot refuse anything
    remember(INSTANCE, InstanceFigures(max_media_attachments=6))
    asyncio.run(ask_new_instances(with_images, config, ["m"]))
    assert asked == ["m"]  # remembered: not asked again before planning
    example = load_config(Path(__file__).parents[2] / "accounts.example.toml")
    asyncio.run(ask_new_instances(with_images, example, ["ank-masto"]))
    assert asked == ["m"]
