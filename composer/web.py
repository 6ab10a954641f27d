"""Reading a web page (or a picture) over http(s): at most a number of bytes, within one
deadline for the whole answer, following at most `MAX_REDIRECTS` redirects, only the
content types asked for, loopback reached directly (never through a proxy from the
environment). Link cards (`media.link_cards`) and `draft import` (`workspace.document_import`)
both read pages through here, each saying a failure in its own words around `WebError`.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from composer.errors import ComposerError

if TYPE_CHECKING:
    import httpx

MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

Failure = Literal["status", "type", "size", "timeout", "redirects", "scheme", "other"]


class WebError(ComposerError):
    """An address that gave no usable answer: `reason` says why (without the address),
    `failure` what kind of failure it was."""

    def __init__(self, url: str, reason: str, failure: Failure) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.failure = failure


@dataclass(frozen=True, slots=True)
class Fetched:
    data: bytes
    url: str  # after redirects
    charset: str | None  # as the server named it


def web_client(
    *, timeout: float, user_agent: str, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """An httpx client for `fetch`: redirects followed (at most MAX_REDIRECTS)."""
    import httpx

    direct: dict[str, httpx.BaseTransport | None] = {
        "all://localhost": None,
        "all://127.0.0.1": None,
        "all://[::1]": None,
    }
    return httpx.Client(
        timeout=timeout,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml"},
        mounts=None if transport is not None else direct,
        transport=transport,
    )


def fetch(
    http: httpx.Client,
    url: str,
    *,
    cap: int,
    timeout: float,
    types: tuple[str, ...] = HTML_TYPES,
    over_cap: str | None = None,
) -> Fetched:
    """At most `cap` bytes of `url`, within `timeout` seconds in all. Past the cap the answer
    is cut (a page's head is at its start), or with `over_cap` refused with that reason
    (a declared length over the cap is refused before anything is read). WebError else."""
    import httpx

    deadline = time.monotonic() + timeout
    try:
        with http.stream("GET", url) as response:
            if not response.is_success:
                raise WebError(url, f"the server answered {response.status_code}", "status")
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not kind.startswith(types):
                raise WebError(url, f"not a web page ({kind or 'no content type'})", "type")
            length = response.headers.get("content-length", "")
            if over_cap is not None and length.isdigit() and int(length) > cap:
                raise WebError(url, over_cap, "size")
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if over_cap is not None and len(data) > cap:
                    raise WebError(url, over_cap, "size")
                if len(data) >= cap:
                    del data[cap:]
                    break
                if time.monotonic() > deadline:
                    raise WebError(url, f"no answer within {timeout:g} seconds", "timeout")
            return Fetched(bytes(data), str(response.url), response.charset_encoding)
    except httpx.TimeoutException:
        raise WebError(url, f"no answer within {timeout:g} seconds", "timeout") from None
    except httpx.TooManyRedirects:
        raise WebError(url, f"more than {MAX_REDIRECTS} redirects", "redirects") from None
    except httpx.UnsupportedProtocol:
        reason = "redirected to an address that is not http or https"
        raise WebError(url, reason, "scheme") from None
    except httpx.ConnectError:
        raise WebError(url, "no answer (could not connect)", "other") from None
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise WebError(url, f"cannot be read ({type(error).__name__})", "other") from None


def decode_page(page: bytes, charset: str | None) -> str:
    """The page as text, in the charset its server named, else the one its `<meta>` names
    (a byte that does not decode becomes U+FFFD), else UTF-8, else windows-1251 (pages from
    the region that name none)."""
    for name in (charset, _meta_charset(page)):
        if name:
            try:
                codec = codecs.lookup(name)
            except LookupError:
                continue
            return page.decode(codec.name, errors="replace")
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError:
        return page.decode("cp1251", errors="replace")


def _meta_charset(page: bytes) -> str | None:
    found = _META_CHARSET.search(page[:4096])
    return found.group(1).decode("ascii") if found else None
