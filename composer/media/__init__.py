"""Images: reading, preparing and caching them for each platform.

`prepare(path, limits)` turns an image file into what may be uploaded to a platform: upright,
sRGB, stripped of every piece of the original's metadata (EXIF with GPS, make, model and
serial numbers, XMP, IPTC, comments, thumbnails, ICC profiles), downscaled (never cropped)
and re-encoded to fit the platform's `Limits`. The result is cached in the data folder by
the source's content hash and the limits (`cache.py`, which also prunes it). The I/O layer,
beside `workspace`: it imports only `locations`, `text` and `errors` of the package.
"""

from composer.media.cache import MediaCache, default_cache
from composer.media.errors import MediaError
from composer.media.limits import JPEG, PNG, Limits, Prepared
from composer.media.pipeline import prepare, prepare_data, prepare_many

__all__ = [
    "JPEG",
    "PNG",
    "Limits",
    "MediaCache",
    "MediaError",
    "Prepared",
    "default_cache",
    "prepare",
    "prepare_data",
    "prepare_many",
]
