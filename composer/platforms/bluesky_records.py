"""Bluesky's records as bytes and keys, without I/O: the record keys chosen before a post
is sent (see `composer.platforms.bluesky` for why), the CID a PDS gives a record (DAG-CBOR,
written by hand: the record's fields are few and fixed, and no maintained DAG-CBOR library
is small enough to import on the publishing path), the reply references and embeds, and
the gates (threadgate, postgate) written beside a post."""

from __future__ import annotations

import base64
import hashlib
import json as jsonlib
from collections.abc import Mapping
from typing import Any

from composer.platforms import base
from composer.text.facets import MAX_TID_TIMESTAMP, TID_PATTERN, new_tid, tid_timestamp
from composer.text.platform_facts import FACTS

__all__ = [
    "POSTGATE_COLLECTION",
    "THREADGATE_COLLECTION",
    "derive_rkey",
    "gate_writes",
    "images_embed",
    "record_cid",
    "rkey_of",
    "strong_ref",
]

RKEY_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
RKEY_SPAN_US = 1 << 45  # about 407 days


def rkey_of(uri: str | None) -> str | None:
    """The record key of an at:// URI, if it is a TID."""
    if not uri:
        return None
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    return rkey if TID_PATTERN.fullmatch(rkey) else None


def derive_rkey(idempotency_key: str, index: int, root_rkey: str | None) -> str:
    seed = f"thread-composer/bluesky/rkey/{idempotency_key}".encode()
    number = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big")
    clock_id = number & 0x3FF
    if root_rkey is not None and index > 1:
        timestamp = tid_timestamp(root_rkey) + index - 1
        if timestamp <= MAX_TID_TIMESTAMP:
            return new_tid(timestamp, clock_id)
    return new_tid(RKEY_EPOCH_US + (number >> 10) % RKEY_SPAN_US, clock_id)


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def _cid_bytes(cid: str) -> bytes:
    """The binary form of a base32 CID string ("b..."), as DAG-CBOR links hold it."""
    if not cid.startswith("b"):
        raise ValueError(f"not a base32 CID: {cid!r}")
    text = cid[1:].upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _dag_cbor(value: Any) -> bytes:
    """DAG-CBOR of a JSON record without bytes or floats (a post record); a `{"$link": cid}`
    object, as a blob's `ref` is written in JSON, is the CID link it stands for (tag 42)."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _cbor_head(3, len(data)) + data
    if isinstance(value, list | tuple):
        return _cbor_head(4, len(value)) + b"".join(_dag_cbor(item) for item in value)
    if isinstance(value, Mapping) and set(value) == {"$link"} and isinstance(value["$link"], str):
        link = b"\x00" + _cid_bytes(value["$link"])  # multibase identity prefix
        return b"\xd8\x2a" + _cbor_head(2, len(link)) + link
    if isinstance(value, Mapping):
        # DAG-CBOR's canonical order: shorter keys first, then bytewise.
        keys = sorted(
            ((str(key).encode("utf-8"), key) for key in value),
            key=lambda pair: (len(pair[0]), pair[0]),
        )
        return _cbor_head(5, len(keys)) + b"".join(
            _cbor_head(3, len(encoded)) + encoded + _dag_cbor(value[key]) for encoded, key in keys
        )
    raise TypeError(f"cannot encode {type(value).__name__} as DAG-CBOR")


def record_cid(record: Mapping[str, Any]) -> str:
    """The CID (v1, dag-cbor, sha2-256, base32) a PDS gives this record."""
    digest = hashlib.sha256(_dag_cbor(record)).digest()
    raw = bytes([0x01, 0x71, 0x12, 0x20]) + digest
    return "b" + base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def strong_ref(post: base.PublishedPost) -> dict[str, str]:
    if not post.uri or not post.cid:
        raise ValueError(f"a Bluesky reply needs the uri and cid of {post.remote_id!r}")
    return {"uri": post.uri, "cid": post.cid}


def images_embed(media: tuple[base.AttachedMedia, ...]) -> dict[str, Any]:
    """`app.bsky.embed.images`: each uploaded blob with its alt text and aspect ratio."""
    return {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "alt": image.alt,
                "image": jsonlib.loads(image.ref),
                "aspectRatio": {"width": image.width, "height": image.height},
            }
            for image in media
        ],
    }


THREADGATE_COLLECTION = "app.bsky.feed.threadgate"
POSTGATE_COLLECTION = "app.bsky.feed.postgate"


def gate_writes(
    request: base.PostRequest, uri: str, rkey: str, created: str
) -> list[dict[str, Any]]:
    """The applyWrites creates of a post's gates, under the post's own record key: on the
    thread's first post (no reply), a threadgate when not everyone may reply (its allow
    rules, none for nobody) and a postgate when quotes are off; on a later post, a postgate
    when no post may be quoted (`quotes = "none"`)."""
    options = request.options
    first = request.reply_to is None
    records: list[tuple[str, dict[str, Any]]] = []
    replies = options.replies or "everyone"
    if first and replies != "everyone":
        rule = FACTS["bluesky"].post_options.replies[replies]
        allow = [] if replies == "nobody" else [{"$type": rule}]
        records.append((THREADGATE_COLLECTION, {"post": uri, "allow": allow}))
    if options.quotes == "nobody" or (first and options.quotes == "not_first"):
        disable = [{"$type": f"{POSTGATE_COLLECTION}#disableRule"}]
        records.append((POSTGATE_COLLECTION, {"post": uri, "embeddingRules": disable}))
    return [
        {
            "$type": "com.atproto.repo.applyWrites#create",
            "collection": collection,
            "rkey": rkey,
            "value": {"$type": collection, **value, "createdAt": created},
        }
        for collection, value in records
    ]
