"""Entities as twitter-text v3 finds them: URLs, mentions, lists, hashtags, cashtags and emoji.

The rules are those of Twitter's reference library twitter-text (Apache-2.0), whose conformance
suite is in tests/data/twitter-text/. Where its ports disagree we follow the JavaScript original,
except that host names are checked with IDNA 2003 (nameprep, then at most 63 characters per
punycode-encoded label) as the Java and Python ports do. All indices are Python ``str`` indices
(code points), not UTF-16 units.

Speed matters because composer.text.xcount counts X posts with these rules for every candidate
split of a report. So the big URL regex is compiled on first use and only run over the
whitespace-delimited segments that hold a dot followed by a possible top-level domain, the emoji
matcher only over the chunks of emoji characters (see _EMOJI_CHUNK), and both results are
cached per segment or chunk, which recur across the posts of a thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from composer.text._tlds import COUNTRY_TLDS, GENERIC_TLDS
from composer.text.patterns import compile_on_use

TYPE_CHECKING = False  # as typing.TYPE_CHECKING (mypy knows the name), without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import regex

__all__ = [
    "Entity",
    "extract_cashtags",
    "extract_emoji",
    "extract_entities",
    "extract_hashtags",
    "extract_mentions",
    "extract_mentions_or_lists",
    "extract_urls",
]


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str  # "url" | "mention" | "list" | "hashtag" | "cashtag" | "emoji"
    start: int  # index in the Python str (code points), inclusive
    end: int  # exclusive
    text: str  # the source text[start:end]
    value: str  # URL, screen name ("user/list" for a list), tag or symbol without sigil, emoji


def _run_end(starred_class: re.Pattern[str], text: str, position: int) -> int:
    """Where the run of ``starred_class`` (a "[...]*" pattern, which always matches) ends."""
    return starred_class.match(text, position).end()  # type: ignore[union-attr]


# --- Character groups of twitter-text ----------------------------------------------------------

_DIRECTIONAL_MARKERS = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_INVALID_CHARS = "\ufffe\ufeff\uffff"
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# JavaScript's \s, which the cashtag rule uses; Python's \s differs (\x1c-\x1f, \x85, no \ufeff).
_JS_WHITESPACE = "\t\n\v\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_PUNCTUATION_CHARS = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$"
_PUNCTUATION = re.escape(_PUNCTUATION_CHARS)
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"


# --- URLs ---------------------------------------------------------------------------------------
#
# twitter-text compiles its URL regexes case-insensitively, and the JavaScript and Java engines
# then fold ASCII letters only, while Python's re would also fold "K" (Kelvin sign) into "k". So
# these patterns are case-sensitive and spell out both cases of every ASCII letter.

_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_DEFAULT_PROTOCOL = "https://"

_NOT_IN_HOST = f"{_SPACES}{_INVALID_CHARS}{_DIRECTIONAL_MARKERS}"
_HOST_CHAR = f"[^{_PUNCTUATION}{_NOT_IN_HOST}]"
# twitter-text writes the inner repetitions as (?:[_-]|HOST_CHAR)* and (?:-|HOST_CHAR)*; one
# character class matches the same strings in the same order, and much faster in re.
_HOST_CHAR_OR_DASH = f"[^{re.escape(_PUNCTUATION_CHARS.replace('-', ''))}{_NOT_IN_HOST}]"
_HOST_CHAR_OR_DASH_UNDERSCORE = (
    f"[^{re.escape(_PUNCTUATION_CHARS.replace('-', '').replace('_', ''))}{_NOT_IN_HOST}]"
)


def _optional(pattern: str) -> str:
    """``(?:pattern)?`` as an alternation with nothing: the same matches tried in the same order,
    but re runs an optional group through its general repeat, which saves the group marks at
    each step; the URL regex matches about 15% faster with its optional parts written so."""
    return f"(?:{pattern}|)"


_SUBDOMAIN = f"(?:{_optional(f'{_HOST_CHAR}{_HOST_CHAR_OR_DASH_UNDERSCORE}*')}{_HOST_CHAR}\\.)"
_DOMAIN_NAME = f"(?:{_optional(f'{_HOST_CHAR}{_HOST_CHAR_OR_DASH}*')}{_HOST_CHAR}\\.)"
_TLD_END = "(?=[^0-9a-zA-Z@+-]|$)"
_PUNYCODE_TLD = "[xX][nN]--[0-9a-zA-Z-]+"
_PATH_CHAR = f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
# One nested level of parentheses, as in "wiki/Primer_(film)".
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
# twitter-text splices these two alternatives into the path without a group, so a balanced
# parenthesis is a path item of its own rather than an ending: "t.co/No.(x)" yields "t.co/No".
_PATH_ENDING = f"[+\\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_BALANCED_PARENS})"
_PATH = (
    f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_ENDING})|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHAR = "[a-zA-Z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
_QUERY_ENDING = "[a-zA-Z0-9\\-_&=#/]"
# twitter-text also lists the directional markers, which the first class already holds.
_URL_PRECEDING = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID_CHARS}]|^)"
_PROTOCOL = "[hH][tT][tT][pP][sS]?://"
_QUERY = f"\\?{_QUERY_CHAR}*{_QUERY_ENDING}"

# Every top-level domain follows a dot and starts with a letter; group 1 is an ASCII start.
_URL_CANDIDATE = compile_on_use(r"\.(?:([a-zA-Z]+)|[^\W\d_])")
_ASCII_TLDS = frozenset(tld for tld in (*GENERIC_TLDS, *COUNTRY_TLDS) if tld.isascii())
# A URL holds none of twitter-text's spaces, so each segment between them can be matched alone.
_SPACE = compile_on_use(f"[{_SPACES}]")
_NON_SPACE_RUN = compile_on_use(f"[^{_SPACES}]*")
_PLAIN_ASCII_HOST = compile_on_use("[a-zA-Z0-9.-]+")
_TCO_URL = compile_on_use(
    f"{_PROTOCOL}[tT]\\.[cC][oO]/([a-zA-Z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_ENDING})?"
)

_Trie = dict[str, "_Trie"]


def _alternation_trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, branching one character at a time.

    re tries a plain alternation of 1,500 TLDs one by one; a trie lets it skip whole subtrees.
    Trying a node's continuations before ending the word there keeps twitter-text's order, in
    which a TLD precedes every shorter TLD that is a prefix of it.
    """
    root: _Trie = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a word

    def render(node: _Trie) -> str:
        # ASCII first: re tests the branches in order, and most TLDs are ASCII.
        chars = sorted((char for char in node if char), key=lambda char: (not char.isascii(), char))
        branches = [_char_pattern(char) + render(node[char]) for char in chars]
        if "" in node:
            branches.append("")
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return render(root)


def _char_pattern(char: str) -> str:
    if char.isascii() and char.isalpha():
        return f"[{char.lower()}{char.upper()}]"
    return re.escape(char)


@cache
def _tld_pattern() -> str:
    generic = _alternation_trie(GENERIC_TLDS)
    country = _alternation_trie(COUNTRY_TLDS)
    return f"(?:{generic}{_TLD_END}|{country}{_TLD_END}|{_PUNYCODE_TLD})"


@cache
def _extract_url_pattern() -> re.Pattern[str]:
    host = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}{_tld_pattern()})"
    return re.compile(
        f"({_URL_PRECEDING})"  # 1: the preceding character, consumed as in twitter-text
        f"({_optional(f'({_PROTOCOL})')}"  # 2: the URL, 3: its protocol
        f"({host})"  # 4: the host
        f"{_optional(':[0-9]+')}"  # port
        f"{_optional(f'(/{_PATH}*)')}"  # 5: the path
        f"{_optional(_QUERY)})"  # query string
    )


@cache
def _ascii_domain_pattern() -> re.Pattern[str]:
    return re.compile(f"(?:[a-zA-Z0-9{_LATIN_ACCENTS}-]+\\.)+{_tld_pattern()}")


def _is_valid_host(url: str, protocol: str, host: str) -> bool:
    """Each label is 1-63 characters once punycode-encoded, the whole URL at most 4096."""
    if host.isascii():  # what the idna codec checks, without its overhead
        if len(host) >= 64 and max(map(len, host.split("."))) >= 64:
            return False
        return len(protocol) + len(url) <= _MAX_URL_LENGTH
    try:
        encoded = host.encode("idna")
    except UnicodeError:
        return False
    return bool(encoded) and len(protocol) + len(url) + len(encoded) - len(host) <= _MAX_URL_LENGTH


def _may_start_tld(text: str, candidate: re.Match[str]) -> bool:
    """A cheap necessary condition for a top-level domain to follow the candidate's dot.

    An ASCII TLD must be followed by something other than a letter, so it is the whole run of
    ASCII letters after the dot, except for punycode ("xn--") and TLDs that go on with non-ASCII
    letters ("vermögensberater"). This skips "e.g.", "file.txt" and "Node.js" cheaply.
    """
    ascii_run = candidate[1]
    if ascii_run is None:
        return True
    run = ascii_run.lower()
    after = candidate.end()
    return run in _ASCII_TLDS or run == "xn" or (after < len(text) and not text[after].isascii())


def _segment_start(text: str, floor: int, index: int) -> int:
    """Start of the whitespace-delimited segment holding ``index``, not before ``floor``."""
    start = max(text.rfind(" ", floor, index) + 1, floor)
    while (space := _SPACE.search(text, start, index)) is not None:
        start = space.end()
    return start


# twitter-text's URL regex is quadratic on some long runs without spaces ("ab.cd-" * 1000
# takes seconds): runs longer than this are not searched for links at all. Their characters
# then count one by one, which over-counts and so keeps every post within its limit.
MAX_URL_SEGMENT = 2048


def _scan_urls(text: str, *, without_protocol: bool = True) -> list[tuple[int, int, str]]:
    """``(start, end, url)`` of each URL, as twitter-text's extractUrlsWithIndices finds them.

    ``url`` is twitter-text's value, whose length parseTweet takes for the URL's extent. It is
    ``text[start:end]`` except in odd cases such as "a.com日本.jp/x", where twitter-text keeps
    the ASCII host "a.com" and appends the path to it.
    """
    urls: list[tuple[int, int, str]] = []
    search_from = segment_floor = 0
    while (candidate := _URL_CANDIDATE.search(text, search_from)) is not None:
        dot = candidate.start()
        if not _may_start_tld(text, candidate):
            search_from = dot + 1
            continue
        # Take the space before the segment along: twitter-text's regex consumes that character.
        offset = max(_segment_start(text, segment_floor, dot) - 1, 0)
        end = _run_end(_NON_SPACE_RUN, text, dot)
        if end - offset > MAX_URL_SEGMENT:
            search_from = segment_floor = end
            continue
        segment = text[offset:end]
        for start, stop, url in _urls_in_segment(segment, without_protocol):
            urls.append((offset + start, offset + stop, url))
        search_from = segment_floor = end
    return urls


@lru_cache(maxsize=4096)  # a thread is counted post by post, so its segments recur
def _urls_in_segment(segment: str, without_protocol: bool) -> tuple[tuple[int, int, str], ...]:
    """The URLs of one segment, which starts with the preceding space unless it starts the text.

    Matching a segment alone is the same as matching it within the text: there "^" could only
    let a URL start on that space, which none does, and "$" at its end stands for the next space.
    """
    urls: list[tuple[int, int, str]] = []
    for match in _extract_url_pattern().finditer(segment):
        _add_url(match, urls, without_protocol=without_protocol)
    return tuple(urls)


def _add_url(
    match: re.Match[str], urls: list[tuple[int, int, str]], *, without_protocol: bool
) -> None:
    before, url, protocol, host, path = match.group(1, 2, 3, 4, 5)
    end = match.end()
    start = end - len(url)
    if not _is_valid_host(url, protocol or _DEFAULT_PROTOCOL, host):
        return
    if protocol is None:
        if not without_protocol or before[-1:] in ("-", "_", ".", "/"):
            return
        # Without a protocol only ASCII hosts count: "例え.jp" is no link, "twitter.comです"
        # yields "twitter.com". A path is appended to the last of them; a port or query alone is
        # dropped, as in twitter-text.
        if _PLAIN_ASCII_HOST.fullmatch(host):  # the common case, where all of it matches
            urls.append((start, end, url) if path else (start, start + len(host), host))
            return
        last = None
        for ascii_host in _ascii_domain_pattern().finditer(host):
            last = len(urls)
            urls.append((start + ascii_host.start(), start + ascii_host.end(), ascii_host[0]))
        if last is not None and path:
            ascii_start, _, ascii_url = urls[last]
            urls[last] = (ascii_start, end, url.replace(host, ascii_url, 1))
        return
    # A t.co link ends with its slug (and query), whatever path characters follow.
    tco = _TCO_URL.match(url) if host.lower() == "t.co" else None
    if tco is not None:
        if len(tco[1]) > _MAX_TCO_SLUG_LENGTH:
            return
        url = tco[0]
        end = start + len(url)
    urls.append((start, end, url))


def extract_urls(text: str, *, without_protocol: bool = True) -> list[Entity]:
    """URLs, as twitter-text's extractUrlsWithIndices finds them.

    ``without_protocol=False`` keeps only the URLs written with http:// or https://.
    """
    if ("." not in text) if without_protocol else (":" not in text):
        return []
    return [
        Entity("url", start, end, text[start:end], url)
        for start, end, url in _scan_urls(text, without_protocol=without_protocol)
    ]


# --- Mentions and lists -------------------------------------------------------------------------


# Compiled on first use, like the other patterns that counting does not need, to keep the
# import of composer.text.xcount cheap.
@cache
def _mention_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    mention_or_list = re.compile(
        "(^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
        "[@\uff20]([a-zA-Z0-9_]{1,20})(/[a-zA-Z][a-zA-Z0-9_-]{0,24})?"
    )
    # A name followed by one of these is part of an e-mail address, a longer word or "@http://".
    invalid_follower = re.compile(f"[@\uff20{_LATIN_ACCENTS}]|://")
    return mention_or_list, invalid_follower


def extract_mentions_or_lists(text: str) -> list[Entity]:
    """@mentions and @user/list references (kinds "mention" and "list")."""
    entities = []
    for match in _standalone_matches(text, "@\uff20", _mention_patterns):
        start, end = match.end(1), match.end()
        list_slug = match[3] or ""
        kind = "list" if list_slug else "mention"
        entities.append(Entity(kind, start, end, text[start:end], match[2] + list_slug))
    return entities


def _standalone_matches(
    text: str,
    marks: str,
    patterns: Callable[[], tuple[re.Pattern[str] | regex.Pattern[str], re.Pattern[str]]],
) -> Iterator[re.Match[str] | regex.Match[str]]:
    """The matches of the entity pattern that the invalid follower does not continue (an
    e-mail address, a longer word, a URL): an entity is one only when it stands alone. A
    text without any of the `marks` (@, #) is not scanned, nor are the patterns built."""
    if not any(mark in text for mark in marks):
        return
    pattern, invalid_follower = patterns()
    for match in pattern.finditer(text):
        if not invalid_follower.match(text, match.end()):
            yield match


def extract_mentions(text: str) -> list[Entity]:
    """@mentions only: "@user/list" refers to a list, not to "user"."""
    return [entity for entity in extract_mentions_or_lists(text) if entity.kind == "mention"]


# --- Hashtags -----------------------------------------------------------------------------------

_HASHTAG_SPECIAL_CHARS = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b"
    "\u0f0c\xb7"
)


@cache
def _hashtag_patterns() -> tuple[regex.Pattern[str], re.Pattern[str]]:
    # Letters, marks and digits of every script need Unicode properties, which re lacks. The
    # regex module is imported on first use because importing it takes about 60 ms.
    import regex

    alphanumeric = f"[\\p{{L}}\\p{{M}}\\p{{Nd}}{_HASHTAG_SPECIAL_CHARS}]"
    letter = "[\\p{L}\\p{M}]"
    boundary = f"(?:^|\ufe0e|\ufe0f|$|(?!{alphanumeric}|&)(?s:.))"
    hashtag = regex.compile(
        f"({boundary})[#\uff03](?!\ufe0f|\u20e3)({alphanumeric}*{letter}{alphanumeric}*)"
    )
    invalid_follower = re.compile("[#\uff03]|://")
    return hashtag, invalid_follower


def _scan_hashtags(text: str) -> list[Entity]:
    return [
        Entity("hashtag", match.end(1), match.end(), text[match.end(1) : match.end()], match[2])
        for match in _standalone_matches(text, "#\uff03", _hashtag_patterns)
    ]


def extract_hashtags(text: str) -> list[Entity]:
    """#hashtags, except those that overlap a URL (as "#anchor" in "example.com/#anchor")."""
    hashtags = _scan_hashtags(text)
    if not hashtags:
        return []
    urls = extract_urls(text)
    if not urls:
        return hashtags
    kept = _remove_overlapping([*hashtags, *urls])
    return [entity for entity in kept if entity.kind == "hashtag"]


# --- Cashtags -----------------------------------------------------------------------------------


@cache
def _cashtag_pattern() -> re.Pattern[str]:
    return re.compile(
        f"(^|[{_SPACES}])\\$([a-zA-Z]{{1,6}}(?:[._][a-zA-Z]{{1,2}})?)"
        f"(?![^{_JS_WHITESPACE}{_PUNCTUATION}])"  # followed by the end, a space or punctuation
    )


def extract_cashtags(text: str) -> list[Entity]:
    """$CASHTAGS: after a space, 1-6 ASCII letters, then perhaps "." or "_" and 1-2 more."""
    if "$" not in text:
        return []
    return [
        Entity("cashtag", match.end(1), match.end(), text[match.end(1) : match.end()], match[2])
        for match in _cashtag_pattern().finditer(text)
    ]


# --- All entities -------------------------------------------------------------------------------


def _remove_overlapping(entities: list[Entity]) -> list[Entity]:
    """twitter-text's removeOverlappingEntities: by start, drop any overlapping the last kept."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda entity: entity.start):  # stable, as in JS
        if not kept or kept[-1].end <= entity.start:
            kept.append(entity)
    return kept


def extract_entities(text: str) -> list[Entity]:
    """URLs, mentions and lists, hashtags and cashtags, without overlaps, ordered by start."""
    return _remove_overlapping(
        [
            *extract_urls(text),
            *extract_mentions_or_lists(text),
            *_scan_hashtags(text),
            *extract_cashtags(text),
        ]
    )


# --- Emoji --------------------------------------------------------------------------------------
#
# Written by hand because no library offers a current and fast emoji-sequence matcher: the
# `emoji` package walks a large dictionary in Python, and twitter-text's regex (twemoji's) lists
# the sequences of one Unicode version, so any newer ZWJ sequence, such as U+1F426 U+200D U+1F525
# (phoenix, Unicode 15.1), would count as three characters. This follows UTS #51's grammar of
# "possible emoji" over the regex module's Unicode properties, narrowed to what twemoji accepts:
#   * digits, "#" and "*" are emoji only in keycaps ([0-9#*] U+FE0F? U+20E3);
#   * ©, ®, ™ and ♟ are emoji only with U+FE0F (twemoji-parser's own tests say so);
#   * U+FE0F joins only a character that has an emoji variation sequence: one that defaults to
#     text, or one of the older emoji-presentation characters below. A stray U+FE0F, as after
#     "😀", stays a character of its own, as in twitter-text;
#   * a skin tone joins only an Emoji_Modifier_Base;
#   * a character that has a variation sequence is no emoji when U+FE0E (text style) follows.
# Any ZWJ chain, any pair of regional indicators and any tag sequence is one emoji, so that
# sequences newer than twitter-text's data count once. A small scanner over sets of characters
# matches the grammar two to three times faster than the same grammar as a regex would (the
# tests check the two against each other).

# Emoji-presentation characters with emoji variation sequences (emoji-variation-sequences.txt):
# they predate Unicode 6.0's emoji. No property marks them, and the set is closed, since newer
# emoji get no variation sequences.
_EMOJI_PRESENTATION_WITH_VARIATION = (
    "\u231a\u231b\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1\u26aa\u26ab\u26bd"
    "\u26be\u26c4\u26c5\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2757\u2b1b\u2b1c\u2b50\u2b55"
    "\U0001f004\U0001f21a\U0001f22f"
)
_EMOJI_ONLY_WITH_VS16 = "\xa9\xae\u2122\u265f"
_KEYCAP_BASES = "#*0123456789"
_VS15, _VS16, _ZWJ, _KEYCAP = "\ufe0e", "\ufe0f", "\u200d", "\u20e3"
_TAGS = frozenset(map(chr, range(0xE0020, 0xE007F)))
_CANCEL_TAG = "\U000e007f"

# Every character an emoji can hold lies in these ranges, and so does U+FE0E, which ends one;
# tests/text/test_twitter_conformance.py checks that against the regex module's properties.
_EMOJI_RANGES = (
    *((ord(char), ord(char)) for char in "#*\xa9\xae\u200d\u203c\u2049\u20e3\u2122\u2139\u24c2"),
    *((ord(char), ord(char)) for char in "\u3030\u303d\u3297\u3299"),
    (0x30, 0x39),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x25A0, 0x27BF),
    (0x2900, 0x297F),
    (0x2B00, 0x2BFF),
    (0xFE0E, 0xFE0F),
    (0x1F000, 0x1FFFF),
    (0xE0020, 0xE007F),
)
# Chunks of characters that may belong to an emoji. stdlib re tests a class with astral ranges
# range by range, forty times slower than a BMP bitmap, so the whole astral plane stands in for
# the astral ranges: a chunk may hold other astral characters, which the scan skips. An ASCII
# character (a digit, "#" or "*") is part of an emoji only as a keycap's first character, which
# U+FE0F or U+20E3 follows; so a chunk is any emoji character and the non-ASCII ones after it,
# each perhaps after one ASCII character. Mixed text is full of digits: a number is then one
# single-digit chunk per digit, strings findall returns cheaply, where stretches of all emoji
# characters ("2024", "1👍") were match objects for a Python loop to skip.
_NON_ASCII_EMOJI_CHAR = (
    "["
    + "".join(
        f"{chr(low)}-{chr(high)}" for low, high in _EMOJI_RANGES if low > 0x7F and high <= 0xFFFF
    )
    + "\U00010000-\U0010ffff]"
)
_EMOJI_CHUNK = compile_on_use(
    f"[{_KEYCAP_BASES}{_NON_ASCII_EMOJI_CHAR[1:]}(?:[{_KEYCAP_BASES}]?{_NON_ASCII_EMOJI_CHAR})*"
)
# The chunks without their first character when it is ASCII, for finditer: a digit alone is no
# match object then (prose has many), and `_emoji_chunks` adds the keycap's digit back.
_EMOJI_CHUNK_TAIL = compile_on_use(
    f"{_NON_ASCII_EMOJI_CHAR}(?:[{_KEYCAP_BASES}]?{_NON_ASCII_EMOJI_CHAR})*"
)


class _EmojiCharacters:
    """The characters that play each part in the emoji grammar, from the regex module's data."""

    def __init__(self) -> None:
        import regex  # on first use: importing it takes about 60 ms

        candidates = "".join(
            chr(code) for low, high in _EMOJI_RANGES for code in range(low, high + 1)
        )

        def having(properties: str) -> frozenset[str]:
            return frozenset(regex.findall(f"[{properties}]", candidates, flags=regex.VERSION1))

        text_default = having("\\p{Emoji}--\\p{Emoji_Presentation}--[#*0-9]")
        self.takes_vs16 = text_default | having(_EMOJI_PRESENTATION_WITH_VARIATION)
        self.bare_text_default = self.takes_vs16 - set(_EMOJI_ONLY_WITH_VS16)  # emoji alone
        self.modifier_bases = having("\\p{Emoji_Modifier_Base}")
        self.modifiers = having("\\p{Emoji_Modifier}")
        self.regional_indicators = having("\\p{Regional_Indicator}")
        # Emoji alone that take no U+FE0F, and code points reserved for future emoji.
        self.bare_emoji = having(
            f"[\\p{{Emoji_Presentation}}--[{_EMOJI_PRESENTATION_WITH_VARIATION}]]"
            "[\\p{Extended_Pictographic}&&\\p{Cn}]"
        )


@cache
def _emoji_characters() -> _EmojiCharacters:
    return _EmojiCharacters()


def _emoji_element_end(text: str, index: int, emoji: _EmojiCharacters) -> int:
    """End of the emoji element (with its tags) starting at ``index``, or -1 if none does.

    The alternatives, longest first (no character can start two of the same length): keycap;
    modifier base, U+FE0F and skin tone; flag, modifier base and skin tone, or character and
    U+FE0F; then a lone character.
    """
    length = len(text)
    char = text[index]
    following = text[index + 1] if index + 1 < length else ""
    after_following = text[index + 2] if index + 2 < length else ""
    if char in _KEYCAP_BASES:
        if following == _KEYCAP:
            end = index + 2
        elif following == _VS16 and after_following == _KEYCAP:
            end = index + 3
        else:
            return -1
    elif (
        char in emoji.modifier_bases
        and following == _VS16
        and char in emoji.takes_vs16
        and after_following in emoji.modifiers
    ):
        end = index + 3
    elif (
        (char in emoji.regional_indicators and following in emoji.regional_indicators)
        or (char in emoji.modifier_bases and following in emoji.modifiers)
        or (char in emoji.takes_vs16 and following == _VS16)
    ):
        end = index + 2
    elif (char in emoji.bare_text_default and following != _VS15) or char in emoji.bare_emoji:
        end = index + 1
    else:
        return -1
    if end < length and text[end] in _TAGS:  # a tag sequence counts only if it is closed
        tag_end = end
        while tag_end < length and text[tag_end] in _TAGS:
            tag_end += 1
        if tag_end < length and text[tag_end] == _CANCEL_TAG:
            end = tag_end + 1
    return end


def _emoji_matches(text: str) -> list[tuple[int, int]]:
    """Spans of the emoji in ``text``, found left to right like a regex's finditer."""
    emoji = _emoji_characters()
    length = len(text)
    spans = []
    index = 0
    while index < length:
        end = _emoji_element_end(text, index, emoji)
        if end < 0:
            index += 1
            continue
        while end + 1 < length and text[end] == _ZWJ:
            joined_end = _emoji_element_end(text, end + 1, emoji)
            if joined_end < 0:
                break
            end = joined_end
        spans.append((index, end))
        index = end
    return spans


def _emoji_chunks(text: str, *, shortest: int = 1) -> list[tuple[int, str]]:
    """``(start, chunk)`` of each chunk of at least ``shortest`` characters (see _EMOJI_CHUNK).

    Every emoji lies within one chunk, and a chunk scanned alone yields the emoji the whole
    text yields there: a chunk ends before a character that is no emoji character or is an
    ASCII one not followed by a non-ASCII one, which no emoji holds, and no rule of the
    grammar tells such a character from the end of the text.
    """
    chunks = []
    for match in _EMOJI_CHUNK_TAIL.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in _KEYCAP_BASES:
            start -= 1
        if end - start >= shortest:
            chunks.append((start, text[start:end]))
    return chunks


def _emoji_chunk_texts(text: str) -> list[str]:
    """The chunks' texts alone, without match objects."""
    return _EMOJI_CHUNK.findall(text)


def _emoji_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the emoji sequences of two or more code points (the others weigh as characters).

    Only the chunks of two or more characters can hold one, and each distinct chunk is
    scanned only once.
    """
    spans: list[tuple[int, int]] = []
    for base, chunk in _emoji_chunks(text, shortest=2):
        for start, end in _emoji_sequences(chunk):
            if end - start > 1:
                spans.append((base + start, base + end))
    return spans


@lru_cache(maxsize=4096)  # the same few emoji recur within a text and across a thread
def _emoji_sequences(chunk: str) -> tuple[tuple[int, int], ...]:
    return tuple(_emoji_matches(chunk))


def extract_emoji(text: str) -> list[Entity]:
    """Emoji; a sequence (flag, keycap, skin tone, ZWJ sequence...) is one entity."""
    found: list[Entity] = []
    if text.isascii():
        return found
    for base, chunk in _emoji_chunks(text):
        for start, end in _emoji_sequences(chunk):
            emoji = chunk[start:end]
            found.append(Entity("emoji", base + start, base + end, emoji, emoji))
    return found
