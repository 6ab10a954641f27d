"""Images made in the tests (a camera photo full of metadata, a chart, a CMYK scan, an
animated GIF) and readers of what a prepared file holds, segment by segment."""

from __future__ import annotations

import io
import struct
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw

# Strings that must never leave the machine: each is written into one kind of metadata.
MAKE = "SecretMake Camera Co"
MODEL = "SecretModel X9"
SERIAL = "SN-SECRET-4242"
GPS_METHOD = "SecretGPSMethod"
XMP_CREATOR = "SecretXMPCreator"
IPTC_BYLINE = "SecretIPTCByline"
COMMENT = "SecretJPEGComment"
THUMBNAIL_COMMENT = "SecretThumbnail"
SECRETS = (MAKE, MODEL, SERIAL, GPS_METHOD, XMP_CREATOR, IPTC_BYLINE, COMMENT, THUMBNAIL_COMMENT)

PHOTO_SIZE = (4032, 3024)  # 12 megapixels, as stored (landscape); upright it is portrait
BLACK = (0, 0, 0)
RED = (255, 0, 0)


def photo_pixels(size: tuple[int, int] = PHOTO_SIZE) -> Image.Image:
    """A photo-like picture (gradients, blotches, grain: it compresses like a photo), with a
    black block in the stored top-left corner and a red one in the stored top-right."""
    width, height = size
    grain = Image.effect_noise(size, 20)
    blotches = Image.effect_noise((width // 8, height // 8), 60).resize(size)
    red = Image.blend(Image.linear_gradient("L").resize(size), grain, 0.25)
    green = Image.blend(blotches, grain, 0.25)
    blue = Image.blend(Image.radial_gradient("L").resize(size), grain, 0.3)
    image = Image.merge("RGB", (red, green, blue))
    block = width // 10
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, block, block), fill=BLACK)
    draw.rectangle((width - block, 0, width - 1, block), fill=RED)
    return image


def swapped_profile() -> bytes:
    """An ICC v2 RGB profile that is not sRGB: sRGB with its red and green primaries swapped,
    so pure red in the file is pure green on screen (and must be green after conversion)."""
    d50 = (0.9642, 1.0, 0.8249)
    srgb_red, srgb_green, srgb_blue = (
        (0.4361, 0.2225, 0.0139),
        (0.3851, 0.7169, 0.0971),
        (
            0.1431,
            0.0606,
            0.7141,
        ),
    )

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in values)

    description = b"Swapped primaries\0"
    desc = (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(description))
        + description
        + b"\0" * 8
        + b"\0\0\0"
        + b"\0" * 67
    )
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0No copyright\0"),
        (b"wtpt", xyz(d50)),
        (b"rXYZ", xyz(srgb_green)),
        (b"gXYZ", xyz(srgb_red)),
        (b"bXYZ", xyz(srgb_blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2026, 12, 3, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + b"\0\0\0\0"
        + b"".join(struct.pack(">i", round(v * 65536)) for v in d50)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def camera_exif(orientation: int = 6) -> bytes:
    """EXIF as a camera writes it: make, model, serial number, GPS position, orientation,
    and a thumbnail (IFD1) of its own, which Pillow does not write, so it is added here."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKE
    exif[ExifTags.Base.Model] = MODEL
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 14.0, 22.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 53.0, 44.1)
    gps[ExifTags.GPS.GPSProcessingMethod] = GPS_METHOD
    tiff = bytearray(exif.tobytes()[6:])  # without "Exif\0\0"
    assert tiff[:2] == b"MM"
    thumbnail = io.BytesIO()
    Image.new("RGB", (160, 120), RED).save(thumbnail, "JPEG", comment=THUMBNAIL_COMMENT)
    # IFD0's "next IFD" offset (0 from Pillow) now points at an IFD1 holding the thumbnail.
    (entries,) = struct.unpack(">H", tiff[8:10])
    next_at = 10 + 12 * entries
    tiff += b"\0" * (len(tiff) % 2)
    ifd1 = len(tiff)
    tiff[next_at : next_at + 4] = struct.pack(">I", ifd1)
    thumb_at = ifd1 + 2 + 2 * 12 + 4
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHII", 0x0201, 4, 1, thumb_at)
    tiff += struct.pack(">HHII", 0x0202, 4, 1, len(thumbnail.getvalue()))
    tiff += b"\0\0\0\0" + thumbnail.getvalue()
    return b"Exif\0\0" + bytes(tiff)


def xmp_packet() -> bytes:
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<dc:creator>" + XMP_CREATOR.encode() + b"</dc:creator>"
        b"</rdf:Description></rdf:RDF></x:xmpmeta>"
        b'<?xpacket end="w"?>'
    )


def iptc_segment() -> bytes:
    """An APP13 Photoshop segment holding an IPTC by-line (2:80), as newsroom tools write."""
    byline = IPTC_BYLINE.encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(byline)) + byline
    resource = b"8BIM\x04\x04\0\0" + struct.pack(">I", len(iptc)) + iptc
    resource += b"\0" * (len(resource) % 2)
    payload = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def write_camera_photo(
    path: Path, size: tuple[int, int] = PHOTO_SIZE, *, profile: bytes | None = None
) -> Path:
    """A camera JPEG with every kind of metadata, stored sideways (orientation 6), in a
    colour space that is not sRGB unless `profile` says otherwise (b"": none)."""
    photo_pixels(size).save(
        path,
        "JPEG",
        quality=92,
        exif=camera_exif(),
        xmp=xmp_packet(),
        icc_profile=swapped_profile() if profile is None else profile,
        comment=COMMENT,
        extra=iptc_segment(),
    )
    return path


def write_chart(path: Path, size: tuple[int, int] = (1200, 800)) -> Path:
    """A bar chart as a PNG: flat colours and thin lines, what PNG is for."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    width, height = size
    for i, value in enumerate((0.3, 0.8, 0.55, 0.9, 0.2)):
        left = 80 + i * (width - 160) // 5
        draw.rectangle(
            (left, height - 60 - value * (height - 120), left + 120, height - 60),
            fill=(31, 119, 180),
        )
        draw.text((left, height - 50), f"Region {i + 1}", fill="black")
    draw.line((60, height - 60, width - 40, height - 60), fill="black", width=2)
    image.save(path, "PNG")
    return path


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The JPEG's marker segments up to the image data: (marker, payload) pairs."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, at = [], 2
    while True:
        assert data[at] == 0xFF, f"no marker at {at}"
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segments.append((marker, data[at + 4 : at + 2 + length]))
        at += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return segments


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def damaged_exif() -> bytes:
    """Camera EXIF whose first tag (Make) claims more bytes than the block holds: Pillow
    skips it with a warning ("Tag data larger than file")."""
    exif = bytearray(camera_exif(orientation=1))
    first_count = 6 + 10 + 4  # "Exif\0\0", TIFF header, IFD0's entry count; tag and type
    exif[first_count : first_count + 4] = struct.pack(">I", 5000)
    return bytes(exif)
