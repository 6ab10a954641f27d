"""The image pipeline: a camera photo comes out upright, in sRGB, with none of its metadata,
within each platform's limits; a chart stays PNG; odd sources are handled or refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageStat, IptcImagePlugin, PngImagePlugin

from composer.media import JPEG, PNG, Limits, MediaError, Prepared, prepare, prepare_many
from tests.media.images import (
    PHOTO_SIZE,
    RED,
    SECRETS,
    camera_exif,
    jpeg_segments,
    png_chunks,
    swapped_profile,
    write_camera_photo,
    write_chart,
    xmp_packet,
)

# The figures: Bluesky's blob limit for app.bsky.embed.images, X's 5 MB, and
# mastodon.social's /api/v2/instance (image_size_limit, image_matrix_limit).
PLATFORMS = {
    "bluesky": Limits(max_bytes=2_000_000),
    "x": Limits(max_bytes=5_000_000),
    "mastodon": Limits(max_bytes=16_777_216, max_pixels=33_177_600),
}
# JPEG segments a prepared file may hold: JFIF, tables, frame, scan. No APP1 (EXIF, XMP),
# APP2 (ICC), APP13 (IPTC) or COM (comment).
JPEG_ALLOWED = {0xE0, 0xDB, 0xC0, 0xC4, 0xDD, 0xDA}
PNG_ALLOWED = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


@pytest.fixture(scope="session")
def camera_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_camera_photo(tmp_path_factory.mktemp("photo") / "akimat.jpg")


@pytest.fixture(scope="session")
def prepared(camera_photo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Prepared]:
    cache = tmp_path_factory.mktemp("cache")
    results = prepare_many(camera_photo, list(PLATFORMS.values()), cache=cache)
    return dict(zip(PLATFORMS, results, strict=True))


def decoded(prepared: Prepared) -> Image.Image:
    image = Image.open(io.BytesIO(prepared.data))
    image.load()
    return image


def mean(image: Image.Image, x: float, y: float) -> tuple[float, ...]:
    """The mean colour of a small box at (x, y), given as fractions of the width and height."""
    width, height = image.size
    box = (int(x * width) - 8, int(y * height) - 8, int(x * width) + 8, int(y * height) + 8)
    return tuple(ImageStat.Stat(image.crop(box).convert("RGB")).mean)


def assert_no_metadata(prepared: Prepared) -> None:
    raw = prepared.data
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    for marker in (b"Exif\0\0", b"http://ns.adobe.com/xap", b"Photoshop 3.0", b"ICC_PROFILE"):
        assert marker not in raw, marker
    image = decoded(prepared)
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile", "comment", "photoshop"} & set(image.info)
    if prepared.mime == JPEG:
        segments = jpeg_segments(raw)
        assert {marker for marker, _ in segments} <= JPEG_ALLOWED
        assert all(body.startswith(b"JFIF\0") for marker, body in segments if marker == 0xE0)
        assert IptcImagePlugin.getiptcinfo(image) is None
    else:
        assert {kind for kind, _ in png_chunks(raw)} <= PNG_ALLOWED


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_camera_photo_comes_out_upright(prepared: dict[str, Prepared], platform: str) -> None:
    result = prepared[platform]
    image = decoded(result)
    assert image.size == (result.width, result.height)
    assert result.height > result.width  # stored 4032x3024 with orientation 6: portrait
    # The stored top-left corner (black) is now top-right; the stored top-right corner
    # (red in a profile with red and green swapped, so green on screen) is bottom-right.
    assert max(mean(image, 0.96, 0.03)) < 20
    red, green, blue = mean(image, 0.96, 0.97)
    assert green > 200 and red < 60 and blue < 60, "the ICC profile was not applied"
    assert max(mean(image, 0.03, 0.03)) > 40  # the other corners are the photo
    assert max(mean(image, 0.03, 0.97)) > 40


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_metadata_of_the_camera_is_left(prepared: dict[str, Prepared], platform: str) -> None:
    assert_no_metadata(prepared[platform])


@pytest.mark.parametrize(
    "profile", [b"", ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()]
)
def test_a_photo_in_srgb_loses_its_metadata_too(tmp_path: Path, profile: bytes) -> None:
    """Most phones write sRGB, with no profile or an sRGB one: nothing to convert, and still
    nothing of the source may be written (Pillow would carry a JPEG comment over from it)."""
    photo = write_camera_photo(tmp_path / "phone.jpg", size=(800, 600), profile=profile)
    result = prepare(photo, PLATFORMS["x"], cache=tmp_path / "cache")
    assert_no_metadata(result)
    assert (result.width, result.height) == (600, 800)


def test_the_test_photo_has_every_kind_of_metadata(camera_photo: Path) -> None:
    """The check above means something only if the source holds what it looks for."""
    raw = camera_photo.read_bytes()
    assert all(secret.encode() in raw for secret in SECRETS)
    markers = {marker for marker, _ in jpeg_segments(raw)}
    assert {0xE1, 0xE2, 0xED, 0xFE} <= markers  # EXIF and XMP, ICC, IPTC, comment


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_limit_is_kept_without_cropping(
    prepared: dict[str, Prepared], platform: str
) -> None:
    limits, result = PLATFORMS[platform], prepared[platform]
    assert len(result.data) <= limits.max_bytes
    assert limits.max_pixels is None or result.width * result.height <= limits.max_pixels
    assert result.mime == JPEG and decoded(result).format == "JPEG"
    stored_width, stored_height = PHOTO_SIZE
    # The aspect ratio of the upright photo (3:4), to the pixel: scaled, never cropped.
    assert abs(result.width * stored_width - result.height * stored_height) <= stored_width


def test_the_photo_is_downscaled_only_where_it_must_be(prepared: dict[str, Prepared]) -> None:
    upright = PHOTO_SIZE[1], PHOTO_SIZE[0]
    assert (prepared["x"].width, prepared["x"].height) == upright
    assert (prepared["mastodon"].width, prepared["mastodon"].height) == upright
    assert prepared["bluesky"].width < upright[0]  # 2,000,000 bytes needs fewer pixels
    assert prepared["bluesky"].width > upright[0] // 2  # but not needlessly few
    assert prepared["x"].sha256 == prepared["mastodon"].sha256  # the same size, encoded once


@pytest.mark.parametrize(
    "limits",
    [
        Limits(max_bytes=16_777_216, max_pixels=3840 * 2160),  # a small Mastodon instance
        Limits(max_bytes=5_000_000, max_side=2048),
        Limits(max_bytes=300_000),
    ],
    ids=["pixels", "side", "bytes"],
)
def test_side_pixel_and_byte_limits(camera_photo: Path, tmp_path: Path, limits: Limits) -> None:
    result = prepare(camera_photo, limits, cache=tmp_path)
    assert len(result.data) <= limits.max_bytes
    assert limits.max_pixels is None or result.width * result.height <= limits.max_pixels
    assert limits.max_side is None or max(result.width, result.height) <= limits.max_side
    assert abs(result.width * PHOTO_SIZE[0] - result.height * PHOTO_SIZE[1]) <= PHOTO_SIZE[0]
    assert_no_metadata(result)
    if limits.max_side is not None:
        assert result.height == limits.max_side  # the longer side, exactly at the limit


def test_a_chart_stays_png_pixel_for_pixel(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "turnout.png")
    result = prepare(chart, PLATFORMS["bluesky"], cache=tmp_path / "cache")
    assert result.mime == PNG
    assert (result.width, result.height) == (1200, 800)
    with Image.open(chart) as original:
        assert decoded(result).convert("RGB").tobytes() == original.convert("RGB").tobytes()
    assert_no_metadata(result)


def test_a_png_with_metadata_loses_it(tmp_path: Path) -> None:
    chart = Image.open(write_chart(tmp_path / "plain.png"))
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", SECRETS[0])
    text.add_itxt("XML:com.adobe.xmp", xmp_packet().decode())
    path = tmp_path / "tagged.png"
    chart.save(path, "PNG", pnginfo=text, exif=camera_exif(orientation=1), dpi=(300, 300))
    assert SECRETS[0].encode() in path.read_bytes()
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert result.mime == PNG
    assert_no_metadata(result)


def test_an_srgb_png_loses_its_profile_and_text(tmp_path: Path) -> None:
    chart = Image.open(write_chart(tmp_path / "plain.png"))
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", SECRETS[0])
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "srgb.png"
    chart.save(path, "PNG", pnginfo=text, icc_profile=srgb)
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert result.mime == PNG
    assert_no_metadata(result)


def test_a_png_too_large_for_png_becomes_a_jpeg_within_the_limit(tmp_path: Path) -> None:
    noisy = tmp_path / "screenshot-of-a-photo.png"
    Image.effect_noise((1500, 1000), 80).convert("RGB").save(noisy)
    assert noisy.stat().st_size > 1_000_000
    limits = Limits(max_bytes=1_000_000)
    result = prepare(noisy, limits, cache=tmp_path / "cache")
    assert result.mime == JPEG and len(result.data) <= limits.max_bytes


def test_png_is_not_sent_where_the_platform_takes_jpeg_only(tmp_path: Path) -> None:
    transparent = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ImageDraw.Draw(transparent).rectangle((100, 100, 300, 200), fill=(0, 0, 255, 255))
    path = tmp_path / "logo.png"
    transparent.save(path)
    result = prepare(path, Limits(max_bytes=1_000_000, formats=frozenset({JPEG})), cache=tmp_path)
    assert result.mime == JPEG
    image = decoded(result)
    assert min(mean(image, 0.05, 0.05)) > 245  # transparency is white, not black
    red, green, blue = mean(image, 0.5, 0.5)
    assert blue > 200 and red < 40 and green < 40


def test_a_cmyk_scan_is_converted_to_rgb(tmp_path: Path) -> None:
    path = tmp_path / "scan.jpg"
    Image.new("CMYK", (600, 400), (255, 0, 0, 0)).save(path, "JPEG", quality=95)  # cyan
    result = prepare(path, PLATFORMS["bluesky"], cache=tmp_path / "cache")
    image = decoded(result)
    assert result.mime == JPEG and image.mode == "RGB"
    red, green, blue = mean(image, 0.5, 0.5)
    assert red < 20 and green > 235 and blue > 235


def test_a_16_bit_scan_keeps_its_greys(tmp_path: Path) -> None:
    path = tmp_path / "scan16.png"
    Image.linear_gradient("L").resize((256, 256)).convert("I").point(
        lambda value: value * 257
    ).convert("I;16").save(path)
    with Image.open(path) as source:
        assert source.mode.startswith("I;16")
    result = prepare(path, PLATFORMS["bluesky"], cache=tmp_path / "cache")
    image = decoded(result)
    assert image.mode == "L"
    assert 100 < mean(image, 0.5, 0.5)[0] < 155  # mid-grey, not clipped to white


def test_an_animated_gif_is_refused(tmp_path: Path) -> None:
    """A still frame would change what the author meant to show: refused with one line."""
    frames = [Image.new("RGB", (100, 100), colour) for colour in ("red", "green", "blue")]
    path = tmp_path / "protest.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    with pytest.raises(MediaError, match=r"protest\.gif: animated image \(3 frames\)"):
        prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")


def test_a_still_gif_becomes_a_png(tmp_path: Path) -> None:
    path = tmp_path / "map.gif"
    Image.new("P", (120, 80), 5).save(path)
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert result.mime == PNG and (result.width, result.height) == (120, 80)


def test_a_multi_picture_camera_file_gives_its_first_picture(tmp_path: Path) -> None:
    path = tmp_path / "camera.mpo"
    first, depth = Image.new("RGB", (640, 480), RED), Image.new("RGB", (320, 240), "white")
    first.save(path, "MPO", save_all=True, append_images=[depth], exif=camera_exif(1))
    with Image.open(path) as source:
        assert source.format == "MPO" and getattr(source, "n_frames", 1) == 2
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert (result.width, result.height) == (640, 480)
    assert mean(decoded(result), 0.5, 0.5)[0] > 240
    assert_no_metadata(result)


# How each EXIF orientation stores the upright picture (EXIF 2.3, tag 0x0112).
STORED = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", STORED)
def test_every_orientation_comes_out_upright(tmp_path: Path, orientation: int) -> None:
    upright = Image.new("RGB", (60, 40), "white")
    draw = ImageDraw.Draw(upright)
    draw.rectangle((0, 0, 9, 9), fill="red")  # top-left
    draw.rectangle((50, 0, 59, 4), fill="blue")  # top-right, flat
    draw.rectangle((0, 30, 4, 39), fill="green")  # bottom-left, tall
    transpose = STORED[orientation]
    stored = upright if transpose is None else upright.transpose(transpose)
    path = tmp_path / f"o{orientation}.png"
    stored.save(path, exif=camera_exif(orientation))
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert result.mime == PNG
    assert decoded(result).convert("RGB").tobytes() == upright.tobytes()


def test_a_transparent_png_in_another_colour_space_keeps_its_alpha(tmp_path: Path) -> None:
    path = tmp_path / "overlay.png"
    Image.new("RGBA", (50, 50), (*RED, 128)).save(path, icc_profile=swapped_profile())
    result = prepare(path, PLATFORMS["x"], cache=tmp_path / "cache")
    assert result.mime == PNG
    red, green, blue, alpha = decoded(result).getpixel((25, 25))  # type: ignore[misc]
    assert (red, blue, alpha) == (0, 0, 128) and green > 250  # converted, still half clear


def test_a_large_chart_is_downscaled_and_stays_png(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "wide.png", size=(4000, 3000))
    result = prepare(chart, Limits(max_bytes=1_000_000, max_side=2000), cache=tmp_path)
    assert (result.mime, result.width, result.height) == (PNG, 2000, 1500)
