"""How a fetched page's bytes become text (`composer.web.decode_page`), for link cards and
`draft import` alike."""

from __future__ import annotations

from composer.web import decode_page

RUSSIAN = "Наблюдатели зафиксировали вбросы"


def test_the_server_s_charset_then_the_page_s_then_utf8_then_windows_1251() -> None:
    cp1251 = f"<html><body>{RUSSIAN}</body></html>".encode("cp1251")
    assert RUSSIAN in decode_page(cp1251, "windows-1251")  # the server says
    with_meta = b'<meta charset="windows-1251">' + cp1251
    assert RUSSIAN in decode_page(with_meta, None)  # only the page says
    assert RUSSIAN in decode_page(RUSSIAN.encode(), None)  # says nothing: UTF-8 reads
    assert RUSSIAN in decode_page(cp1251, None)  # says nothing, not UTF-8: the region's own
    assert RUSSIAN in decode_page(cp1251, "no-such-charset")  # an unknown name is passed over


def test_a_named_charset_keeps_bytes_that_do_not_decode_as_replacement_characters() -> None:
    assert decode_page(b"ok \xff", "utf-8") == "ok \ufffd"
